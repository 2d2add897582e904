package dev.tapline.examples.clinic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapline.examples.clinic.ClinicService.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClinicServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NEW_OWNER = """
      {"firstName":"Maria","lastName":"Escobito","address":"345 Maple St.","city":"Madison","telephone":"6085557683"}""";
  private static final String NEW_PET = """
      {"name":"Leo","birthDate":"2019-05-01","type":{"id":2}}""";

  private final HttpClient http = HttpClient.newHttpClient();
  private ClinicService clinic;

  @BeforeEach
  void start() {
    clinic = ClinicService.start(Version.V1, "127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    clinic.close();
    http.close();
  }

  private HttpResponse<String> send(String method, String path, @Nullable String body) throws Exception {
    return send(clinic, method, path, body);
  }

  /** {@code path} below the context path; a path starting with {@code //} is taken from the server root. */
  private HttpResponse<String> send(ClinicService s, String method, String path, @Nullable String body) throws Exception {
    URI uri = path.startsWith("//")
        ? URI.create("http://127.0.0.1:" + s.port() + path.substring(1))
        : URI.create(s.baseUri() + path);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  /** {@code field} of each element of an array, as text (not of nested objects, as findValues would). */
  private static List<String> each(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(e -> out.add(e.path(field).asText()));
    return out;
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void servesTheApiBelowItsContextPathOnly() throws Exception {
    assertThat(clinic.baseUri().toString()).isEqualTo("http://127.0.0.1:" + clinic.port() + "/clinic/api");
    assertThat(send("GET", "/owners", null).statusCode()).isEqualTo(200);
    for (String outside : List.of("//owners", "//", "//clinic/owners", "//clinic/api", "/owners/", "/owners//pets", "/nope")) {
      HttpResponse<String> r = send("GET", outside, null);
      assertThat(r.statusCode()).as(outside).isEqualTo(404);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(json(r).get("detail").asText()).startsWith("No endpoint GET /");
    }
  }

  @Test
  void seedsTheSameDataAtEveryStart() throws Exception {
    JsonNode types = json(send("GET", "/pettypes", null));
    assertThat(each(types, "name")).containsExactly("cat", "dog", "lizard", "snake", "bird", "hamster");
    assertThat(each(types, "id")).containsExactly("1", "2", "3", "4", "5", "6");
    try (ClinicService other = ClinicService.start(Version.V1, 0)) {
      for (String path : List.of("/owners", "/pettypes", "/vets", "/owners/3/pets/4")) {
        JsonNode here = json(send("GET", path, null));
        JsonNode there = json(send(other, "GET", path, null));
        // links carry each server's port and createdAt the start time; the rest is the same
        assertThat(withoutVaryingFields(there)).as(path).isEqualTo(withoutVaryingFields(here));
      }
    }
    JsonNode owners = json(send("GET", "/owners", null));
    assertThat(each(owners, "lastName")).containsExactly("Franklin", "Davis", "Rodriquez");
    assertThat(each(owners.get(2).get("pets"), "name")).containsExactly("Rosy", "Jewel");
    assertThat(json(send("GET", "/vets", null))).hasSize(6);
  }

  private static JsonNode withoutVaryingFields(JsonNode n) {
    JsonNode copy = n.deepCopy();
    List<JsonNode> objects = new ArrayList<>(copy.findParents("_links"));
    objects.addAll(copy.findParents("createdAt"));
    objects.forEach(o -> ((ObjectNode) o).remove(List.of("_links", "createdAt")));
    return copy;
  }

  @Test
  void numbersIdsPerTableFromOne() throws Exception {
    assertThat(json(send("GET", "/owners/1", null)).get("lastName").asText()).isEqualTo("Franklin");
    assertThat(json(send("GET", "/owners/1/pets/1", null)).get("name").asText()).isEqualTo("Leo");
    assertThat(json(send("GET", "/owners/1/pets/1/visits/1", null)).get("description").asText()).isEqualTo("rabies shot");
    assertThat(json(send("GET", "/vets/1", null)).get("lastName").asText()).isEqualTo("Carter");

    assertThat(json(send("POST", "/owners", NEW_OWNER)).get("id").asInt()).isEqualTo(4);
    assertThat(json(send("POST", "/owners/4/pets", NEW_PET)).get("id").asInt()).isEqualTo(5);
    assertThat(json(send("POST", "/owners/4/pets/5/visits", "{\"description\":\"check-up\"}")).get("id").asInt()).isEqualTo(3);
    assertThat(json(send("POST", "/pettypes", "{\"name\":\"ferret\"}")).get("id").asInt()).isEqualTo(7);

    // a deleted id is never handed out again
    assertThat(send("DELETE", "/owners/4", null).statusCode()).isEqualTo(204);
    assertThat(json(send("POST", "/owners", NEW_OWNER)).get("id").asInt()).isEqualTo(5);
  }

  @Test
  void createsWith201AndAnAbsoluteLocationThatServesTheSameResource() throws Exception {
    HttpResponse<String> created = send("POST", "/owners", NEW_OWNER);
    assertThat(created.statusCode()).isEqualTo(201);
    String self = clinic.baseUri() + "/owners/4";
    assertThat(created.headers().firstValue("Location")).hasValue(self);
    JsonNode owner = json(created);
    assertThat(owner.at("/_links/self/href").asText()).isEqualTo(self);
    assertThat(owner.at("/_links/pets/href").asText()).isEqualTo(self + "/pets");
    assertThat(owner.get("pets")).isEmpty();
    assertThat(owner.has("email")).as("unset optional fields are left out").isFalse();
    assertThat(Instant.parse(owner.get("createdAt").asText())).isBeforeOrEqualTo(Instant.now());

    HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(created.headers().firstValue("Location").orElseThrow())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(json(read)).isEqualTo(owner);
  }

  @Test
  void buildsLinksFromTheRequestsHostHeader() throws Exception {
    String[] r = rawRequest("POST /clinic/api/pettypes", "clinic.example:8443", "{\"name\":\"ferret\"}");
    assertThat(r[0]).startsWith("HTTP/1.1 201");
    assertThat(r[1]).containsIgnoringCase("Location: http://clinic.example:8443/clinic/api/pettypes/7");
    assertThat(JSON.readTree(r[2]).at("/_links/self/href").asText()).isEqualTo("http://clinic.example:8443/clinic/api/pettypes/7");

    String[] missing = rawRequest("GET /clinic/api/owners/99", "proxy.internal", null);
    assertThat(missing[0]).startsWith("HTTP/1.1 404");
    assertThat(JSON.readTree(missing[2]).get("type").asText()).isEqualTo("http://proxy.internal/clinic/problems/not-found");
  }

  /** One request over a plain socket, so the {@code Host} header can be anything: status line, headers, body. */
  private String[] rawRequest(String requestLine, String host, @Nullable String body) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", clinic.port())) {
      byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      String head = requestLine + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
          + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n") + "\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int end = all.indexOf("\r\n\r\n");
      int firstLine = all.indexOf("\r\n");
      return new String[] {all.substring(0, firstLine), all.substring(firstLine + 2, end), all.substring(end + 4)};
    }
  }

  @Test
  void nestsPetsAndVisitsUnderTheirOwner() throws Exception {
    JsonNode pets = json(send("GET", "/owners/3/pets", null));
    assertThat(each(pets, "id")).containsExactly("3", "4");
    assertThat(send("GET", "/owners/1/pets/3", null).statusCode()).as("owner 3's pet under owner 1").isEqualTo(404);
    assertThat(json(send("GET", "/owners/1/pets/3", null)).get("detail").asText()).isEqualTo("pet 3 not found for owner 1");
    assertThat(send("GET", "/owners/99/pets", null).statusCode()).isEqualTo(404);

    HttpResponse<String> visit = send("POST", "/owners/3/pets/4/visits", "{\"date\":\"2024-02-29\",\"description\":\"spayed\"}");
    assertThat(visit.statusCode()).isEqualTo(201);
    assertThat(visit.headers().firstValue("Location")).hasValue(clinic.baseUri() + "/owners/3/pets/4/visits/3");
    assertThat(json(visit).at("/_links/pet/href").asText()).isEqualTo(clinic.baseUri() + "/owners/3/pets/4");
    assertThat(each(json(send("GET", "/owners/3/pets/4/visits", null)), "description")).containsExactly("spayed");
    assertThat(send("GET", "/owners/1/pets/1/visits/3", null).statusCode()).isEqualTo(404);
    JsonNode today = json(send("POST", "/owners/3/pets/4/visits", "{\"description\":\"check-up\"}"));
    assertThat(today.get("date").asText()).as("a visit without a date is today's").isEqualTo(LocalDate.now().toString());

    JsonNode owner = json(send("GET", "/owners/3", null));
    assertThat(each(owner.at("/pets/1/visits"), "description")).containsExactly("spayed", "check-up");

    assertThat(send("DELETE", "/owners/3", null).statusCode()).isEqualTo(204);
    assertThat(send("GET", "/owners/3/pets/4", null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/owners/3", null).statusCode()).isEqualTo(404);
  }

  @Test
  void resolvesThePetTypeAPetReferencesById() throws Exception {
    HttpResponse<String> created = send("POST", "/owners/1/pets", NEW_PET);
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode pet = json(created);
    assertThat(pet.get("type")).isEqualTo(JSON.readTree("{\"id\":2,\"name\":\"dog\"}"));
    assertThat(pet.get("birthDate").asText()).isEqualTo("2019-05-01");
    assertThat(pet.get("ownerId").asInt()).isEqualTo(1);

    HttpResponse<String> updated = send("PUT", "/owners/1/pets/" + pet.get("id").asInt(),
        "{\"name\":\"Leona\",\"birthDate\":\"2019-05-01\",\"type\":{\"id\":1}}");
    assertThat(updated.statusCode()).isEqualTo(200);
    assertThat(json(updated).at("/type/name").asText()).isEqualTo("cat");

    HttpResponse<String> unknown = send("POST", "/owners/1/pets", "{\"name\":\"Leo\",\"birthDate\":\"2019-05-01\",\"type\":{\"id\":99}}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    JsonNode problem = json(unknown);
    assertThat(problem.get("errors")).isEqualTo(JSON.readTree("[{\"field\":\"type.id\",\"message\":\"pet type 99 does not exist\"}]"));
    assertThat(problem.get("detail").asText()).contains("type.id");
  }

  @Test
  void answersErrorsAsProblemJson() throws Exception {
    HttpResponse<String> missing = send("GET", "/owners/99", null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode p = json(missing);
    assertThat(fieldNames(p)).containsExactly("type", "title", "status", "detail", "instance", "timestamp");
    assertThat(p.get("type").asText()).isEqualTo("http://127.0.0.1:" + clinic.port() + "/clinic/problems/not-found");
    assertThat(p.get("title").asText()).isEqualTo("Not Found");
    assertThat(p.get("status").asInt()).isEqualTo(404);
    assertThat(p.get("detail").asText()).isEqualTo("owner 99 not found");
    assertThat(p.get("instance").asText()).isEqualTo("/clinic/api/owners/99");
    assertThat(Instant.parse(p.get("timestamp").asText())).isBeforeOrEqualTo(Instant.now());

    HttpResponse<String> invalid = send("POST", "/owners", "{\"firstName\":\"Maria\",\"lastName\":\" \",\"address\":\"x\",\"city\":\"y\"}");
    assertThat(invalid.statusCode()).isEqualTo(400);
    JsonNode v = json(invalid);
    assertThat(v.get("type").asText()).endsWith("/clinic/problems/validation-failed");
    assertThat(v.get("title").asText()).isEqualTo("Bad Request");
    assertThat(v.get("errors")).isEqualTo(JSON.readTree("""
        [{"field":"lastName","message":"must not be blank"},{"field":"telephone","message":"must not be blank"}]"""));
    assertThat(v.get("detail").asText()).isEqualTo("Invalid request content: lastName: must not be blank; telephone: must not be blank");

    assertThat(json(send("POST", "/owners", NEW_OWNER.replace("6085557683", "555-1234"))).at("/errors/0/field").asText())
        .isEqualTo("telephone");
    assertThat(send("POST", "/owners", "{not json").statusCode()).isEqualTo(400);
    assertThat(send("POST", "/owners", "[]").statusCode()).isEqualTo(400);

    HttpResponse<String> noType = http.send(HttpRequest.newBuilder(URI.create(clinic.baseUri() + "/owners"))
        .POST(HttpRequest.BodyPublishers.ofString(NEW_OWNER)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(noType.statusCode()).isEqualTo(415);
    assertThat(json(noType).get("title").asText()).isEqualTo("Unsupported Media Type");

    HttpResponse<String> readOnly = send("POST", "/vets", "{}");
    assertThat(readOnly.statusCode()).isEqualTo(405);
    assertThat(readOnly.headers().firstValue("Allow")).hasValue("GET");
    assertThat(json(readOnly).get("title").asText()).isEqualTo("Method Not Allowed");
  }

  @Test
  void answers409ForATakenUniqueField() throws Exception {
    HttpResponse<String> duplicate = send("POST", "/pettypes", "{\"name\":\"cat\"}");
    assertThat(duplicate.statusCode()).isEqualTo(409);
    assertThat(json(duplicate).get("title").asText()).isEqualTo("Conflict");
    assertThat(json(duplicate).get("detail").asText()).isEqualTo("a pet type named cat already exists");
    assertThat(send("POST", "/pettypes", "{\"name\":\"Dog\"}").statusCode()).as("any case").isEqualTo(409);
    assertThat(send("PUT", "/pettypes/1", "{\"name\":\"dog\"}").statusCode()).isEqualTo(409);
    assertThat(send("PUT", "/pettypes/1", "{\"name\":\"cat\"}").statusCode()).as("its own name").isEqualTo(200);

    String withEmail = NEW_OWNER.replace("}", ",\"email\":\"George.Franklin@example.com\"}");
    assertThat(send("POST", "/owners", withEmail).statusCode()).isEqualTo(409);
    assertThat(send("PUT", "/owners/1", withEmail).statusCode()).as("its own email").isEqualTo(200);

    HttpResponse<String> inUse = send("DELETE", "/pettypes/2", null);
    assertThat(inUse.statusCode()).isEqualTo(409);
    assertThat(json(inUse).get("detail").asText()).isEqualTo("pet type 2 (dog) is used by 2 pet(s)");
    assertThat(send("DELETE", "/pettypes/3", null).statusCode()).isEqualTo(204);
    assertThat(send("GET", "/pettypes/3", null).statusCode()).isEqualTo(404);
  }

  @Test
  void parsesPathIdsAsInt32SoALongIdIsA500() throws Exception {
    HttpResponse<String> overflow = send("GET", "/owners/1234567890123", null);
    assertThat(overflow.statusCode()).isEqualTo(500);
    assertThat(overflow.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode p = json(overflow);
    assertThat(p.get("title").asText()).isEqualTo("Internal Server Error");
    assertThat(p.get("detail").asText()).contains("1234567890123");
    assertThat(p.get("instance").asText()).isEqualTo("/clinic/api/owners/1234567890123");

    assertThat(send("GET", "/owners/1/pets/2147483648", null).statusCode()).isEqualTo(500);
    assertThat(send("GET", "/pettypes/abc", null).statusCode()).isEqualTo(500);
    assertThat(send("GET", "/owners/2147483647", null).statusCode()).as("int32 max").isEqualTo(404);
    assertThat(send("GET", "/owners/-1", null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/owners/1", null).statusCode()).isEqualTo(200);
  }

  @Test
  void updatesWithPutAndDeletesWith204() throws Exception {
    HttpResponse<String> updated = send("PUT", "/owners/2", NEW_OWNER);
    assertThat(updated.statusCode()).isEqualTo(200);
    assertThat(json(updated).get("lastName").asText()).isEqualTo("Escobito");
    assertThat(json(updated).get("id").asInt()).isEqualTo(2);
    assertThat(json(updated).get("pets")).hasSize(1);
    assertThat(send("GET", "/owners?lastName=esc", null).body()).contains("Escobito").doesNotContain("Franklin");

    HttpResponse<String> deleted = send("DELETE", "/owners/1/pets/1", null);
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(deleted.body()).isEmpty();
    assertThat(send("GET", "/owners/1/pets/1", null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/owners/1/pets/1/visits/1", null).statusCode()).isEqualTo(404);
    assertThat(send("DELETE", "/owners/1/pets/1", null).statusCode()).isEqualTo(404);
  }

  @Test
  void sandboxRenamesTelephoneRetypesBirthDateAndDropsPetDelete() throws Exception {
    try (ClinicService v2 = ClinicService.start(Version.V2, 0)) {
      JsonNode owner = json(send(v2, "GET", "/owners/1", null));
      assertThat(owner.has("telephone")).isFalse();
      assertThat(owner.get("phone").asText()).isEqualTo("6085551023");
      JsonNode leo = owner.at("/pets/0");
      assertThat(leo.get("birthDate").isIntegralNumber()).isTrue();
      assertThat(leo.get("birthDate").asLong()).isEqualTo(LocalDate.parse("2010-09-07").atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());

      HttpResponse<String> oldShape = send(v2, "POST", "/owners", NEW_OWNER);
      assertThat(oldShape.statusCode()).isEqualTo(400);
      assertThat(json(oldShape).get("errors")).isEqualTo(JSON.readTree("[{\"field\":\"phone\",\"message\":\"must not be blank\"}]"));
      HttpResponse<String> newShape = send(v2, "POST", "/owners", NEW_OWNER.replace("telephone", "phone"));
      assertThat(newShape.statusCode()).isEqualTo(201);
      assertThat(json(newShape).get("phone").asText()).isEqualTo("6085557683");

      HttpResponse<String> removed = send(v2, "DELETE", "/owners/1/pets/1", null);
      assertThat(removed.statusCode()).isEqualTo(405);
      assertThat(removed.headers().firstValue("Allow")).hasValue("GET, PUT");
      assertThat(removed.headers().firstValue("Content-Type")).hasValue("application/problem+json");

      // the rest is v1: types, requests with a date string, errors
      assertThat(withoutVaryingFields(json(send(v2, "GET", "/pettypes", null))))
          .isEqualTo(withoutVaryingFields(json(send("GET", "/pettypes", null))));
      assertThat(send(v2, "POST", "/owners/1/pets", NEW_PET).statusCode()).isEqualTo(201);
      assertThat(send(v2, "POST", "/pettypes", "{\"name\":\"cat\"}").statusCode()).isEqualTo(409);
      assertThat(send(v2, "GET", "/owners/1234567890123", null).statusCode()).isEqualTo(500);
      assertThat(send(v2, "DELETE", "/owners/2", null).statusCode()).isEqualTo(204);
    }
  }
}
