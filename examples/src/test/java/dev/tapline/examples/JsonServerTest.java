package dev.tapline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The json-server setup works: it starts from node_modules, serves a copy of db.json, and stops. */
class JsonServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void servesAPostAndAGetOnACopyOfDbJsonAndStops() throws Exception {
    JsonServer server = JsonServer.startOrSkip();
    Path original = JsonServer.installDir().orElseThrow().resolve("db.json");
    String before = Files.readString(original);
    try (server; HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> created = http.send(HttpRequest.newBuilder(server.baseUri().resolve("/comments"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"body\":\"Recorded through Tapline\",\"postId\":2}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).isEqualTo(201);
      JsonNode comment = JSON.readTree(created.body());
      assertThat(comment.get("id").asInt()).isEqualTo(4);
      assertThat(created.headers().firstValue("Location")).hasValue(server.baseUri() + "/comments/4");

      HttpResponse<String> ofPost = http.send(HttpRequest.newBuilder(server.baseUri().resolve("/comments?postId=2")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ofPost.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(ofPost.body()).findValuesAsText("body"))
          .containsExactly("Which header carries the key?", "Recorded through Tapline");
      assertThat(http.send(HttpRequest.newBuilder(URI.create(server.baseUri() + "/posts/99")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

      assertThat(Files.readString(server.db())).contains("Recorded through Tapline");
      assertThat(server.log()).contains("POST /comments");
    }
    assertThat(server.isRunning()).isFalse();
    assertThat(Files.exists(server.db())).isFalse();
    assertThat(Files.readString(original)).as("the committed db.json is never written").isEqualTo(before);
  }

  @Test
  void jsonServerAuthGuardsBookmarksWithTheJwtItsLoginAnswers() throws Exception {
    try (JsonServer server = JsonServer.startAuthOrSkip(); HttpClient http = HttpClient.newHttpClient()) {
      URI base = server.baseUri();
      HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(base.resolve("/bookmarks")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      HttpResponse<String> login = http.send(HttpRequest.newBuilder(base.resolve("/login"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + JsonServer.AUTH_USER + "\",\"password\":\""
                  + JsonServer.AUTH_PASSWORD + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
      String jwt = JSON.readTree(login.body()).get("accessToken").asText();
      assertThat(jwt).startsWith("eyJ");
      HttpResponse<String> created = http.send(HttpRequest.newBuilder(base.resolve("/bookmarks"))
              .header("Content-Type", "application/json").header("Authorization", "Bearer " + jwt)
              .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://example.com/\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      assertThat(http.send(HttpRequest.newBuilder(base.resolve("/articles")).build(), HttpResponse.BodyHandlers.ofString())
          .statusCode()).isEqualTo(200);
    }
  }
}
