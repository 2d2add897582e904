package dev.tapline.examples.notes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NotesServiceTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> send(URI base, String method, String path, String contentType, String body,
      String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aClientLogsInUsesItsTokenUntilItExpiresAndLogsInAgain() {
    try (NotesService notes = NotesService.builder().user("ann", "correct-horse").tokenTtl(Duration.ofMillis(700)).start()) {
      NotesTraffic.Result r = NotesTraffic.run(notes.baseUri(), "ann", "correct-horse", 3, Duration.ofMillis(800));
      assertThat(r.byStatus()).containsKeys(200, 201, 204, 400, 401, 404);
      assertThat(r.relogins()).isGreaterThanOrEqualTo(2);
      assertThat(notes.expiredRejections()).isGreaterThanOrEqualTo(2);
      assertThat(r.secrets()).contains("correct-horse").hasSizeGreaterThanOrEqualTo(4);
      assertThat(notes.logins()).isEqualTo(r.relogins() + 2);
    }
  }

  @Test
  void missingWrongAndExpiredCredentialsAreRefusedTheWayOAuth2Says() throws Exception {
    try (NotesService notes = NotesService.builder().user("ann", "pw-1").client("reports", "s3cret")
        .tokenTtl(Duration.ofMillis(300)).start()) {
      URI base = notes.baseUri();
      HttpResponse<String> none = send(base, "GET", "/api/notes", null, null);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"notes\"");
      assertThat(send(base, "POST", "/login", "application/json", "{\"username\":\"ann\",\"password\":\"x\"}").body())
          .contains("invalid_grant");
      HttpResponse<String> cc = send(base, "POST", "/oauth/token", "application/x-www-form-urlencoded",
          "grant_type=client_credentials&client_id=reports&client_secret=s3cret");
      assertThat(cc.statusCode()).as(cc.body()).isEqualTo(200);
      assertThat(cc.body()).contains("\"token_type\":\"Bearer\"", "\"expires_in\":1", "\"scope\":\"notes\"");
      String token = cc.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
      assertThat(send(base, "GET", "/api/me", null, null, "Authorization", "Bearer " + token).body())
          .isEqualTo("{\"username\":\"client:reports\",\"displayName\":\"reports\"}");
      Thread.sleep(400);
      HttpResponse<String> expired = send(base, "GET", "/api/me", null, null, "Authorization", "Bearer " + token);
      assertThat(expired.statusCode()).isEqualTo(401);
      assertThat(expired.body()).contains("invalid_token", "expired");
      assertThat(send(base, "POST", "/oauth/token", "application/x-www-form-urlencoded",
          "grant_type=client_credentials&client_id=reports&client_secret=nope").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void theWebRoutesWantTheSessionCookieAndTheSecondVersionRenamesDisplayName() throws Exception {
    try (NotesService v2 = NotesService.builder().version(NotesService.Version.V2).user("ann", "pw-1").start()) {
      HttpResponse<String> login = send(v2.baseUri(), "POST", "/web/session", "application/x-www-form-urlencoded",
          "username=ann&password=pw-1");
      assertThat(login.statusCode()).isEqualTo(200);
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
      assertThat(cookie).startsWith(NotesService.SESSION_COOKIE + "=").contains("Path=/web", "HttpOnly");
      String pair = cookie.split(";")[0];
      assertThat(send(v2.baseUri(), "GET", "/web/profile", null, null, "Cookie", pair).body())
          .isEqualTo("{\"username\":\"ann\",\"name\":\"Ann Example\",\"notes\":0}");
      assertThat(send(v2.baseUri(), "GET", "/web/notes", null, null, "Cookie", pair).body()).startsWith("<!doctype html>");
      assertThat(send(v2.baseUri(), "DELETE", "/web/session", null, null, "Cookie", pair).statusCode()).isEqualTo(204);
      assertThat(send(v2.baseUri(), "GET", "/web/profile", null, null, "Cookie", pair).statusCode()).isEqualTo(401);
    }
  }
}
