package dev.tapline.testgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.ExchangeReader;
import dev.tapline.core.Redactor;
import dev.tapline.core.auth.MissingCredentialsException;
import dev.tapline.examples.JsonServer;
import dev.tapline.examples.notes.NotesService;
import dev.tapline.examples.notes.NotesTraffic;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Services that require logging in, recorded through the real proxy (redacting with a hash key) and
 * Kafka: the notes example (a bearer token from {@code POST /login} that expires within the run, a
 * session cookie from a form login) and json-server-auth (a JWT from npm's json-server-auth). The
 * generated tests log in the way the recording did with credentials given at run time, pass three
 * verification runs in which tokens expire and are refreshed, and no recorded token or password is
 * anywhere in the topic or the generated files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthenticatedServicesTest {
  static final String USER = "ann";
  static final String PASSWORD = "correct-horse-7f3k";

  @TempDir Path dir;
  private Redactor keyed;
  private ProxyRecording.Recorded recording;
  private NotesTraffic.Result traffic;

  @BeforeAll
  void record() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    keyed = Redactor.builder().hashKey(key).build();
    AtomicReference<NotesTraffic.Result> result = new AtomicReference<>();
    try (NotesService notes = NotesService.builder().user(USER, PASSWORD).tokenTtl(Duration.ofMillis(600)).start()) {
      recording = ProxyRecording.record("notes", notes.baseUri(), keyed, proxy -> {
        result.set(NotesTraffic.run(proxy, USER, PASSWORD, 4, Duration.ofMillis(700)));
        return result.get().requests();
      });
    }
    traffic = result.get();
    assertThat(traffic.relogins()).as("the recorded client logged in again after its token expired").isPositive();
  }

  private static GeneratorOptions options(String pkg) {
    return GeneratorOptions.builder(pkg).sourceName("notes.ndjson").build();
  }

  private Path ndjson(List<Exchange> exchanges, String name) throws IOException {
    StringBuilder sb = new StringBuilder();
    exchanges.forEach(e -> sb.append(new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8)).append('\n'));
    return Files.writeString(dir.resolve(name), sb);
  }

  @Test
  void theTestsLogInTheWayTheRecordingDidAndTheLoginAndUnauthenticated401sStayTests() {
    GenerationResult r = TestGenerator.create(options("com.example.notes")).generate(recording.exchanges());
    String support = r.files().get("java/com/example/notes/TaplineTarget.java");
    assertThat(support).contains("public static RequestSpecification authenticatedByLogin()",
        "public static RequestSpecification authenticatedByWebSession()",
        "credential(\"tapline.auth.password\", \"TAPLINE_AUTH_PASSWORD\", null)",
        "credential(\"tapline.auth.username\", \"TAPLINE_AUTH_USERNAME\", \"ann\")",
        ".header(\"Authorization\", \"Bearer \" + answered(login, \"access_token\", \"POST /login (logging in)\"))",
        ".cookie(\"NOTES_SESSION\", cookieSet(login, \"NOTES_SESSION\", \"POST /web/session (logging in)\"))",
        "fillForm(\"\"\"", "username=${username}&password=${password}\"\"\"");
    String notes = r.files().get("java/com/example/notes/NotesContractTest.java");
    assertThat(notes).contains("given(TaplineTarget.authenticatedByLogin())", "void getApiNotes_returns401()");
    assertThat(testMethod(notes, "getApiNotes_returns401")).contains("given(TaplineTarget.spec())");
    String login = r.files().get("java/com/example/notes/LoginContractTest.java");
    assertThat(testMethod(login, "postLogin_returns200"))
        .contains("TaplineTarget.credential(\"tapline.auth.password\", \"TAPLINE_AUTH_PASSWORD\", null)");
    assertThat(testMethod(login, "postLogin_returns401")).doesNotContain("credential(").contains("[REDACTED:");
    String web = r.files().get("java/com/example/notes/WebContractTest.java");
    assertThat(web).contains("given(TaplineTarget.authenticatedByWebSession())", "TaplineTarget.fillForm(");
    assertThat(r.skipped()).anyMatch(s -> s.describe().contains(AuthPlan.REJECTED));
    assertThat(r.authentication().logins()).extracting(GenerationResult.Authentication.Login::display)
        .containsExactly("POST /login", "POST /web/session");
    assertThat(r.files().get(TestGenerator.REPORT_FILE)).contains("## Authentication",
        "| `password` | `tapline.auth.password` | `TAPLINE_AUTH_PASSWORD` | required");
  }

  @Test
  void theTestsPassThreeVerificationRunsWithCredentialsGivenAtRunTimeLoggingInAgainWhenTokensExpire() throws IOException {
    Path file = ndjson(recording.exchanges(), "notes.ndjson");
    GenerationResult r;
    // Tokens and sessions live 1.5 s and serve at most 5 requests, so they expire while the tests run
    // however fast the runs are.
    try (NotesService fresh = NotesService.builder().user(USER, PASSWORD).tokenTtl(Duration.ofMillis(1500))
        .sessionTtl(Duration.ofMillis(1500)).maxUses(5).start(); ExchangeReader in = ExchangeReader.file(file)) {
      r = TestGenerator.create(options("com.example.notes.verified")).generate(in, null,
          new VerifyOptions(fresh.baseUri(), 3, Map.of("tapline.auth.password", PASSWORD)));
      assertThat(fresh.expiredRejections()).as("tokens and sessions expired while the tests ran").isPositive();
      assertThat(fresh.logins()).as("logged in again after they expired").isGreaterThan(2);
    }
    GenerationResult.Verification v = r.verification();
    assertThat(v.runs()).isEqualTo(3);
    assertThat(v.rounds()).as("the first round passed: %s %s", v.removed(), v.notWritten()).isEqualTo(1);
    assertThat(v.removed()).isEmpty();
    assertThat(v.notWritten()).isEmpty();
    assertThat(r.scenariosWritten()).isGreaterThanOrEqualTo(15);
    assertNoSecrets(r.files().values(), traffic.secrets());
  }

  @Test
  void aRequestAnsweredFourOhOneLogsInAgainAndIsSentOnceMoreWithItsBodyAndHeaders() throws Exception {
    GenerationResult r = TestGenerator.create(options("com.example.notes.retry")).generate(recording.exchanges());
    try (NotesService notes = NotesService.builder().user(USER, PASSWORD).start();
        GeneratedTests suite = GeneratedTests.compile(r.files(), dir.resolve("retry"))) {
      System.setProperty("tapline.baseUri", notes.baseUri().toString());
      System.setProperty("tapline.auth.password", PASSWORD);
      try {
        Class<?> target = suite.loader().loadClass("com.example.notes.retry.TaplineTarget");
        java.lang.reflect.Method authenticated = target.getMethod("authenticatedByLogin");
        for (int i = 0; i < 2; i++) {
          io.restassured.response.Response created = io.restassured.RestAssured
              .given((io.restassured.specification.RequestSpecification) authenticated.invoke(null))
              .contentType("application/json").body("{\"title\":\"after revocation " + i + "\",\"body\":\"é\"}")
              .when().post("/api/notes");
          assertThat(created.statusCode()).as(created.asString()).isEqualTo(201);
          assertThat(created.asString()).contains("\"title\":\"after revocation " + i + "\"", "\"body\":\"é\"");
          notes.revokeAll();
        }
      } finally {
        System.clearProperty("tapline.baseUri");
        System.clearProperty("tapline.auth.password");
      }
      assertThat(notes.logins()).as("logged in once, then again after the revocation").isEqualTo(2);
      assertThat(notes.authorizedRequests()).isEqualTo(2);
    }
  }

  @Test
  void withTheClientCredentialsGrantTheTestsGetTheirTokenFromTheTokenEndpointTheRecordingNeverShowed() throws Exception {
    List<Exchange> recorded;
    String clientSecret = "reports-secret-9d2f";
    try (NotesService notes = NotesService.builder().client("reports", clientSecret).start()) {
      // The client gets its token straight from the service (its identity provider), not through the proxy.
      HttpClient http = HttpClient.newHttpClient();
      String answer = http.send(HttpRequest.newBuilder(notes.baseUri().resolve("/oauth/token"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=reports&client_secret=" + clientSecret))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      String token = answer.replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
      recorded = ProxyRecording.record("notes", notes.baseUri(), keyed, proxy -> {
        try {
          send(http, "POST", proxy + "/api/notes", token, "{\"title\":\"Weekly report\",\"body\":\"ok\"}");
          send(http, "POST", proxy + "/api/notes", token, "{\"title\":\"Monthly report\",\"body\":\"ok\"}");
          send(http, "GET", proxy + "/api/notes", token, null);
          send(http, "GET", proxy + "/api/me", token, null);
          send(http, "GET", proxy + "/api/me", null, null);
        } catch (IOException | InterruptedException e) {
          throw new AssertionError(e);
        }
        return 5;
      }).exchanges();
      assertNoSecrets(recorded.stream().map(e -> new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8)).toList(),
          Set.of(token, clientSecret));
    }
    GeneratorOptions options = options("com.example.notes.cc").toBuilder().auth(GeneratorOptions.Auth.clientCredentials(
        new dev.tapline.core.auth.ClientCredentials(URI.create("/oauth/token"), "reports", "NOTES_CLIENT_SECRET", null)))
        .build();
    Path file = ndjson(recorded, "cc.ndjson");
    GenerationResult r;
    try (NotesService fresh = NotesService.builder().client("reports", clientSecret).tokenTtl(Duration.ofMillis(1500)).start();
        ExchangeReader in = ExchangeReader.file(file)) {
      // Every recorded path is under /api: that is the base path, and the token endpoint a path on the same host.
      r = TestGenerator.create(options).generate(in, null,
          new VerifyOptions(URI.create(fresh.baseUri() + "/api"), 3, Map.of("tapline.auth.clientSecret", clientSecret)));
      assertThat(fresh.logins()).isPositive();
    }
    assertThat(r.verification().removed()).isEmpty();
    assertThat(r.verification().notWritten()).isEmpty();
    String support = r.files().get("java/com/example/notes/cc/TaplineTarget.java");
    assertThat(support).contains("public static RequestSpecification authenticated()",
        "credential(\"tapline.auth.clientSecret\", \"NOTES_CLIENT_SECRET\", null)",
        "credential(\"tapline.auth.clientId\", \"TAPLINE_AUTH_CLIENT_ID\", \"reports\")", ".post(tokenUrl(\"/oauth/token\"))");
    String me = r.files().get("java/com/example/notes/cc/MeContractTest.java");
    assertThat(testMethod(me, "getMe_returns200")).contains("given(TaplineTarget.authenticated())");
    assertThat(testMethod(me, "getMe_returns401")).contains("given(TaplineTarget.spec())");
    assertNoSecrets(r.files().values(), Set.of(clientSecret));
  }

  @Test
  void verifyingWithoutTheCredentialsSaysWhichAreMissingInsteadOfDroppingTests() throws IOException {
    Path file = ndjson(recording.exchanges(), "notes2.ndjson");
    try (ExchangeReader in = ExchangeReader.file(file)) {
      assertThatThrownBy(() -> TestGenerator.create(options("com.example.notes.nocreds"))
          .generate(in, null, VerifyOptions.of(URI.create("http://127.0.0.1:9"), 1)))
          .isInstanceOf(MissingCredentialsException.class)
          .hasMessageContaining("tapline.auth.password (or TAPLINE_AUTH_PASSWORD)");
    }
  }

  @Test
  void noRecordedTokenCookieOrPasswordIsOnTheTopicOrInTheGeneratedFiles() {
    assertThat(traffic.secrets()).hasSizeGreaterThan(3);
    List<String> topic = new ArrayList<>();
    recording.values().forEach(v -> topic.add(new String(v, StandardCharsets.UTF_8)));
    assertNoSecrets(topic, traffic.secrets());
    GenerationResult r = TestGenerator.create(options("com.example.notes")).generate(recording.exchanges());
    assertNoSecrets(r.files().values(), traffic.secrets());
  }

  @Test
  void aRecordingWithoutALoginKeepsTheSupportClassAsItWas() {
    GenerationResult withLogins = TestGenerator.create(options("com.example.notes")).generate(recording.exchanges());
    GenerationResult none = TestGenerator.create(options("com.example.notes").toBuilder()
        .auth(GeneratorOptions.Auth.none()).build()).generate(recording.exchanges());
    String support = none.files().get("java/com/example/notes/TaplineTarget.java");
    assertThat(support).doesNotContain("authenticated", "credential(");
    assertThat(none.files().get("java/com/example/notes/NotesContractTest.java")).doesNotContain("authenticated");
    assertThat(withLogins.files().get("java/com/example/notes/TaplineTarget.java").length()).isGreaterThan(support.length());
  }

  @Test
  void jsonServerAuthTestsLogInWithTheJwtOfItsLoginAndPassThreeRuns() throws IOException {
    List<byte[]> wire = new ArrayList<>();
    Set<String> secrets = new LinkedHashSet<>(List.of(JsonServer.AUTH_PASSWORD, "other-secret-pw1", "other-secret-pw2"));
    List<Exchange> recorded;
    try (JsonServer server = JsonServer.startAuthOrSkip()) {
      ProxyRecording.Recorded rec = ProxyRecording.record("bookmarks", server.baseUri(), keyed,
          proxy -> bookmarksTraffic(proxy, secrets));
      recorded = rec.exchanges();
      wire.addAll(rec.values());
    }
    List<String> topic = new ArrayList<>();
    wire.forEach(v -> topic.add(new String(v, StandardCharsets.UTF_8)));
    assertNoSecrets(topic, secrets);
    Path file = ndjson(recorded, "bookmarks.ndjson");
    GenerationResult r;
    try (JsonServer fresh = JsonServer.startAuthOrSkip(); ExchangeReader in = ExchangeReader.file(file)) {
      r = TestGenerator.create(GeneratorOptions.builder("com.example.bookmarks").build()).generate(in, null,
          new VerifyOptions(fresh.baseUri(), 3, Map.of("tapline.auth.password", JsonServer.AUTH_PASSWORD)));
    }
    assertThat(r.authentication().logins()).extracting(GenerationResult.Authentication.Login::display)
        .containsExactly("POST /login");
    assertThat(r.authentication().logins().get(0).links()).containsExactly("accessToken -> Authorization: Bearer <token>");
    assertThat(r.verification().removed()).isEmpty();
    assertThat(r.verification().notWritten()).isEmpty();
    assertThat(r.files().get("java/com/example/bookmarks/BookmarksContractTest.java"))
        .contains("given(TaplineTarget.authenticated())");
    assertThat(r.scenariosWritten()).isGreaterThanOrEqualTo(8);
    assertNoSecrets(r.files().values(), secrets);
  }

  /** Registers two users, logs in as the seeded one and keeps bookmarks; reads articles, which need no login. */
  private static int bookmarksTraffic(URI proxy, Set<String> secrets) {
    HttpClient http = HttpClient.newHttpClient();
    int sent = 0;
    try {
      for (int i = 1; i <= 2; i++) {
        send(http, "POST", proxy + "/register", null, "{\"email\":\"new" + i + "@example.com\",\"password\":\"other-secret-pw" + i + "\"}");
        sent++;
      }
      send(http, "GET", proxy + "/bookmarks", null, null);
      send(http, "POST", proxy + "/login", null, "{\"email\":\"" + JsonServer.AUTH_USER + "\",\"password\":\"wrong-pw\"}");
      sent += 2;
      String token = null;
      for (int round = 0; round < 2; round++) {
        String answer = send(http, "POST", proxy + "/login", null,
            "{\"email\":\"" + JsonServer.AUTH_USER + "\",\"password\":\"" + JsonServer.AUTH_PASSWORD + "\"}");
        token = answer.replaceAll("(?s).*\"accessToken\":\\s*\"([^\"]+)\".*", "$1");
        secrets.add(token);
        sent++;
        String created = send(http, "POST", proxy + "/bookmarks", token, "{\"url\":\"https://example.com/" + round
            + "\",\"title\":\"Example " + round + "\"}");
        String id = created.replaceAll("(?s).*\"id\":\\s*(\\d+).*", "$1");
        send(http, "GET", proxy + "/bookmarks/" + id, token, null);
        send(http, "PATCH", proxy + "/bookmarks/" + id, token, "{\"title\":\"Edited " + round + "\"}");
        send(http, "GET", proxy + "/bookmarks", token, null);
        sent += 4;
      }
      send(http, "GET", proxy + "/bookmarks/9999", token, null);
      send(http, "GET", proxy + "/articles", null, null);
      send(http, "GET", proxy + "/articles/1", null, null);
      send(http, "POST", proxy + "/articles", token, "{\"title\":\"Tapline\",\"author\":\"reader\"}");
      send(http, "POST", proxy + "/articles", null, "{\"title\":\"Anonymous\",\"author\":\"nobody\"}");
      sent += 5;
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("bookmarks traffic failed", e);
    }
    return sent;
  }

  private static String send(HttpClient http, String method, String url, String bearer, String json)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    if (json != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  static void assertNoSecrets(Iterable<String> texts, Set<String> secrets) {
    for (String text : texts) {
      for (String secret : secrets) {
        assertThat(text).as("a recorded secret").doesNotContain(secret);
      }
    }
  }

  /** The source of one test method, from its name to the next test. */
  static String testMethod(String source, String name) {
    int at = source.indexOf("void " + name + "()");
    assertThat(at).as("test %s in\n%s", name, source).isPositive();
    int next = source.indexOf("@Test", at);
    return source.substring(at, next < 0 ? source.length() : next);
  }
}
