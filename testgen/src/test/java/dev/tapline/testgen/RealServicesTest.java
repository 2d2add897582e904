package dev.tapline.testgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.Exchange;
import dev.tapline.examples.JsonServer;
import dev.tapline.examples.clinic.ClinicService;
import dev.tapline.examples.clinic.ClinicTraffic;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero false alarms on services not written to fit Tapline: traffic recorded through the real proxy
 * and broker from the clinic example (a context path, integer ids per table, nested resources, a
 * body that references another resource, a unique field, links and problem+json errors that carry
 * the host, an OpenAPI document) and from json-server (a real third-party server from npm) becomes
 * tests that pass against the service they came from: fresh twice, a third time without a restart,
 * in a random order and each test alone. The clinic's changed version fails exactly the tests that
 * touch its changes, each naming what changed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealServicesTest {
  private Path dir;
  private List<Exchange> clinic;
  private GenerationResult fromTraffic;
  private GenerationResult fromSpec;
  private GeneratedTests trafficSuite;
  private GeneratedTests specSuite;

  @BeforeAll
  void recordAndGenerate(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    try (ClinicService v1 = ClinicService.start(ClinicService.Version.V1, 0)) {
      clinic = ProxyRecording.record("clinic", v1.baseUri(),
          proxy -> ClinicTraffic.run(URI.create(proxy + ClinicService.CONTEXT_PATH), 300, 7L, null).requests());
    }
    fromTraffic = TestGenerator.create(GeneratorOptions.builder("com.example.clinic").build()).generate(clinic);
    Path spec = Files.writeString(dir.resolve("openapi.yaml"), ClinicService.openApiYaml());
    fromSpec = TestGenerator.create(GeneratorOptions.builder("com.example.clinic.spec").openApi(spec).build())
        .generate(clinic);
    trafficSuite = GeneratedTests.compile(fromTraffic.files(), dir.resolve("traffic"));
    specSuite = GeneratedTests.compile(fromSpec.files(), dir.resolve("spec"));
  }

  @AfterAll
  void close() throws IOException {
    trafficSuite.close();
    specSuite.close();
  }

  @Test
  void theClinicsOwnLayoutIsKeptBasePathClassesPerResourceNoHostNoRecordedIds() {
    assertThat(fromTraffic.scenariosWritten()).isGreaterThanOrEqualTo(20);
    assertThat(fromTraffic.files().keySet()).contains("java/com/example/clinic/OwnersContractTest.java",
        "java/com/example/clinic/PettypesContractTest.java", "java/com/example/clinic/VetsContractTest.java");
    String owners = fromTraffic.files().get("java/com/example/clinic/OwnersContractTest.java");
    assertThat(owners).contains(".get(\"/owners/{ownerId}\")", ".post(\"/owners/{ownerId}/pets\")")
        .doesNotContain("\"/clinic/api/", "127.0.0.1")
        .doesNotContainPattern("pathParam\\(\"(ownerId|petId|visitId)\", \"\\d+\"\\)");
    assertThat(fromTraffic.files().get("java/com/example/clinic/TaplineTarget.java"))
        .contains("\"http://localhost:8080/clinic/api\"");
    assertThat(fromSpec.files().get("java/com/example/clinic/spec/OwnersContractTest.java"))
        .contains("void getOwner_returns200()", ".get(\"/owners/{ownerId}\")");
  }

  @Test
  void clinicTestsPassFreshTwiceThenWithoutARestartInAnyOrderAndEachAlone() {
    for (GeneratedTests suite : List.of(trafficSuite, specSuite)) {
      for (int fresh = 1; fresh <= 2; fresh++) {
        try (ClinicService v1 = ClinicService.start(ClinicService.Version.V1, 0)) {
          assertThat(GeneratedTests.failures(suite.run(v1.baseUri().toString()))).as("fresh run %d", fresh).isEmpty();
          if (fresh == 2) {
            assertThat(GeneratedTests.failures(suite.run(v1.baseUri().toString()))).as("dirty run").isEmpty();
            assertThat(GeneratedTests.failures(suite.runShuffled(v1.baseUri().toString(), 42))).as("random order").isEmpty();
            assertThat(GeneratedTests.failures(suite.runEachAlone(v1.baseUri().toString()))).as("each alone").isEmpty();
          }
        }
      }
    }
  }

  @Test
  void againstTheChangedClinicExactlyTheTestsTouchingTheChangeFailEachNamingIt() {
    SortedMap<String, String> results;
    try (ClinicService v2 = ClinicService.start(ClinicService.Version.V2, 0)) {
      results = trafficSuite.run(v2.baseUri().toString());
    }
    Map<String, String> failures = GeneratedTests.failures(results);
    assertThat(failures).isNotEmpty();
    failures.forEach((test, message) -> assertThat(message).as(test)
        .containsAnyOf("telephone", "phone", "birthDate", "405"));
    // Tests that touch neither owners' telephone nor pets' birthDate nor deleting a pet still pass.
    List<String> passed = new ArrayList<>();
    results.forEach((t, m) -> {
      if (m.isEmpty()) {
        passed.add(t);
      }
    });
    assertThat(passed).anyMatch(t -> t.startsWith("getPettypes")).anyMatch(t -> t.startsWith("getVets"));
    assertThat(failures.keySet()).anyMatch(t -> t.startsWith("postOwners_returns201"))
        .anyMatch(t -> t.startsWith("deleteOwnersByIdPetsById"));
  }

  @Test
  void jsonServerTestsPassFreshTwiceThenWithoutARestart() throws Exception {
    List<Exchange> recorded;
    try (JsonServer server = JsonServer.startOrSkip()) {
      recorded = ProxyRecording.record("blog", server.baseUri(), RealServicesTest::blogTraffic);
    }
    GenerationResult r = TestGenerator.create(GeneratorOptions.builder("com.example.blog").build()).generate(recorded);
    assertThat(r.scenariosWritten()).isGreaterThanOrEqualTo(8);
    try (GeneratedTests suite = GeneratedTests.compile(r.files(), dir.resolve("blog"))) {
      for (int fresh = 1; fresh <= 2; fresh++) {
        try (JsonServer server = JsonServer.startOrSkip()) {
          String base = server.baseUri().toString();
          assertThat(GeneratedTests.failures(suite.run(base))).as("fresh run %d", fresh).isEmpty();
          if (fresh == 2) {
            assertThat(GeneratedTests.failures(suite.run(base))).as("dirty run").isEmpty();
            assertThat(GeneratedTests.failures(suite.runShuffled(base, 7))).as("random order").isEmpty();
          }
        }
      }
    }
  }

  /** A blog's traffic against json-server: posts and comments that reference them, reads, updates, misses. */
  static int blogTraffic(URI proxy) {
    HttpClient http = HttpClient.newHttpClient();
    int sent = 0;
    try {
      List<String> posts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String created = send(http, "POST", proxy + "/posts", "{\"title\":\"post " + i + "\",\"author\":\"ann\"}");
        sent++;
        posts.add(created.replaceAll("(?s).*\"id\":\\s*(\\d+).*", "$1"));
      }
      for (String id : posts) {
        send(http, "GET", proxy + "/posts/" + id, null);
        send(http, "POST", proxy + "/comments", "{\"body\":\"nice\",\"postId\":" + id + "}");
        send(http, "GET", proxy + "/comments?postId=" + id, null);
        sent += 3;
      }
      send(http, "PATCH", proxy + "/posts/" + posts.get(0), "{\"title\":\"edited\"}");
      send(http, "PUT", proxy + "/posts/" + posts.get(1), "{\"title\":\"replaced\",\"author\":\"bob\"}");
      send(http, "DELETE", proxy + "/posts/" + posts.get(2), null);
      send(http, "GET", proxy + "/posts", null);
      send(http, "GET", proxy + "/posts/9999", null);
      send(http, "GET", proxy + "/profile", null);
      sent += 6;
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("blog traffic failed", e);
    }
    return sent;
  }

  private static String send(HttpClient http, String method, String url, String json) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (json != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
