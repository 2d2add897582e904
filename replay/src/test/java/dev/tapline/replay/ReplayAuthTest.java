package dev.tapline.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tapline.core.Exchange;
import dev.tapline.core.Redactor;
import dev.tapline.core.auth.AuthFlows;
import dev.tapline.core.auth.ClientCredentials;
import dev.tapline.core.auth.CredentialSource;
import dev.tapline.core.endpoint.Endpoints;
import dev.tapline.examples.notes.NotesService;
import dev.tapline.examples.notes.NotesTraffic;
import dev.tapline.proxy.CapturePolicy;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ExchangeSink;
import dev.tapline.proxy.ProxyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay of a service that requires logging in (the notes example: a bearer token from {@code POST
 * /login} that expires quickly, a session cookie from a form login), recorded through the real
 * proxy with a hash key: each side logs in the way the recording did with the run's credentials,
 * logs in again when a token expires mid-run, and reports no drift between equal versions and the
 * renamed field between different ones. Recorded credentials are never sent.
 */
class ReplayAuthTest {
  static final String USER = "ann";
  static final String PASSWORD = "replay-pw-31f9";
  static final CredentialSource CREDENTIALS = CredentialSource.of(Map.of("tapline.auth.password", PASSWORD), (p, e) -> null);

  @TempDir static Path dir;
  static List<Exchange> recorded;
  static AuthFlows flows;

  static List<Exchange> record(Consumer<URI> traffic, NotesService service) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    List<Exchange> captured = new CopyOnWriteArrayList<>();
    int[] sent = new int[1];
    try (CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder().service("notes").baseline(service.baseUri())
        .capture(CapturePolicy.ALL).redactor(Redactor.builder().hashKey(key).build())
        .sink(ExchangeSink.custom(captured::add)).build())) {
      traffic.accept(proxy.uri());
    }
    return captured;
  }

  @BeforeAll
  static void recordTheNotesClient() {
    try (NotesService notes = NotesService.builder().user(USER, PASSWORD).tokenTtl(Duration.ofMillis(500)).start()) {
      int[] n = new int[1];
      recorded = record(proxy -> n[0] = NotesTraffic.run(proxy, USER, PASSWORD, 3, Duration.ofMillis(600)).requests(), notes);
      Awaitility.await().until(() -> recorded.size() == n[0]);
    }
    try (ExchangeSource src = ExchangeSource.of(recorded)) {
      flows = ReplayAuth.scan(src, Endpoints.defaults());
    }
    assertThat(flows.flows()).hasSize(2);
  }

  static DriftReport replay(ReplayOptions options) {
    try (ExchangeSource src = ExchangeSource.of(recorded)) {
      return Replayer.create(options).replay(src, ReplayListener.none());
    }
  }

  static NotesService notes(NotesService.Version v, Duration ttl) {
    return NotesService.builder().version(v).user(USER, PASSWORD).tokenTtl(ttl).sessionTtl(ttl).start();
  }

  @Test
  void bothSidesLogInAsRecordedAndLogInAgainWhenTheirTokensExpireMidRunWithoutReportingDrift() {
    try (NotesService baseline = notes(NotesService.Version.V1, Duration.ofMillis(800));
        NotesService sandbox = notes(NotesService.Version.V1, Duration.ofMillis(800))) {
      // 25 requests a second over both sides: the run takes longer than a token lives.
      DriftReport r = replay(ReplayOptions.builder().baselineAndSandbox(baseline.baseUri(), sandbox.baseUri())
          .rate(25).concurrency(2).auth(ReplayAuth.fromRecording(flows, CREDENTIALS)).build());
      assertThat(r.verdict()).as("%s", r.endpoints()).isInstanceOf(DriftReport.Pass.class);
      assertThat(r.endpoints()).allSatisfy(ep -> assertThat(ep.errors()).as(ep.name()).isEmpty());
      assertThat(r.counts().exchanges()).isGreaterThan(20);
      for (NotesService side : List.of(baseline, sandbox)) {
        assertThat(side.expiredRejections()).as("a token expired mid-run").isPositive();
        assertThat(side.logins()).as("logged in again").isGreaterThanOrEqualTo(3);
        assertThat(side.authorizedRequests()).isGreaterThanOrEqualTo(15);
      }
    }
  }

  @Test
  void aContractChangeBehindTheLoginIsReported() {
    try (NotesService baseline = notes(NotesService.Version.V1, Duration.ofMinutes(5));
        NotesService sandbox = notes(NotesService.Version.V2, Duration.ofMinutes(5))) {
      DriftReport r = replay(ReplayOptions.builder().baselineAndSandbox(baseline.baseUri(), sandbox.baseUri())
          .auth(ReplayAuth.fromRecording(flows, CREDENTIALS)).build());
      assertThat(r.verdict()).isInstanceOf(DriftReport.Drift.class);
      assertThat(r.endpoints()).filteredOn(ep -> ep.template().equals("/api/me")).singleElement()
          .satisfies(ep -> assertThat(ep.differences()).anyMatch(d -> d.path().equals("$.displayName")));
      assertThat(r.endpoints()).filteredOn(ep -> ep.template().equals("/web/profile")).singleElement()
          .satisfies(ep -> assertThat(ep.differences()).anyMatch(d -> d.path().equals("$.displayName")));
    }
  }

  @Test
  void withoutTheCredentialsNothingIsSentAndTheMessageSaysWhereToGiveThem() {
    ReplayOptions o = ReplayOptions.builder().baselineAndSandbox(URI.create("http://127.0.0.1:9"), URI.create("http://127.0.0.1:9"))
        .auth(ReplayAuth.fromRecording(flows, (p, e) -> null)).build();
    assertThatThrownBy(() -> replay(o)).isInstanceOf(ReplayInputException.class)
        .hasMessageContaining("tapline.auth.password (or TAPLINE_AUTH_PASSWORD)");
  }

  @Test
  void aRefusedLoginIsTheSidesFailureNamingWhatItAnswered() {
    try (NotesService baseline = NotesService.builder().user(USER, "another-password").start();
        NotesService sandbox = notes(NotesService.Version.V1, Duration.ofMinutes(5))) {
      DriftReport r = replay(ReplayOptions.builder().baselineAndSandbox(baseline.baseUri(), sandbox.baseUri())
          .auth(ReplayAuth.fromRecording(flows, CREDENTIALS)).build());
      assertThat(r.verdict()).isInstanceOfSatisfying(DriftReport.TargetFailure.class,
          f -> assertThat(f.side()).isEqualTo("baseline"));
      assertThat(r.endpoints()).flatMap(DriftReport.EndpointReport::errors)
          .anyMatch(e -> e.contains("baseline login failed: POST /login answered 401 without access_token"));
    }
  }

  @Test
  void anAuthCommandPrintsEachSidesHeaderAndRunsAgainAfterA401() throws Exception {
    try (NotesService baseline = notes(NotesService.Version.V1, Duration.ofMinutes(5));
        NotesService sandbox = notes(NotesService.Version.V1, Duration.ofMinutes(5))) {
      // The command stands for a company's login tool: the n-th time it runs for a side it prints the
      // n-th token the test put beside it. The baseline's first one is revoked before the replay.
      String revoked = token(baseline);
      baseline.revokeAll();
      Files.write(dir.resolve("baseline.tokens"), List.of(revoked, token(baseline)));
      Files.write(dir.resolve("sandbox.tokens"), List.of(token(sandbox)));
      Files.writeString(dir.resolve("baseline.url"), baseline.baseUri().toString());
      Files.writeString(dir.resolve("sandbox.url"), sandbox.baseUri().toString());
      String command = "f='" + dir + "'/$TAPLINE_AUTH_SIDE; echo run >> \"$f.runs\"; n=$(wc -l < \"$f.runs\");"
          + " test \"$(cat \"$f.url\")\" = \"$TAPLINE_AUTH_BASE_URL\" || exit 7;"
          + " printf 'Authorization: Bearer %s\\n' \"$(sed -n \"${n}p\" \"$f.tokens\")\"";
      DriftReport r = replay(ReplayOptions.builder().baselineAndSandbox(baseline.baseUri(), sandbox.baseUri())
          .auth(ReplayAuth.command(command)).build());
      assertThat(r.verdict()).as("%s", r.endpoints()).isInstanceOf(DriftReport.Pass.class);
      assertThat(r.endpoints()).allSatisfy(ep -> assertThat(ep.errors()).as(ep.name()).isEmpty());
      assertThat(Files.readAllLines(dir.resolve("baseline.runs"))).as("again after the 401").hasSize(2);
      assertThat(Files.readAllLines(dir.resolve("sandbox.runs"))).hasSize(1);
      assertThat(baseline.authorizedRequests()).isGreaterThan(10);
    }
  }

  @Test
  void anAuthCommandThatFailsIsTheSidesFailure() {
    try (NotesService baseline = notes(NotesService.Version.V1, Duration.ofMinutes(5));
        NotesService sandbox = notes(NotesService.Version.V1, Duration.ofMinutes(5))) {
      DriftReport r = replay(ReplayOptions.builder().baselineAndSandbox(baseline.baseUri(), sandbox.baseUri())
          .auth(ReplayAuth.command("echo 'no such user' >&2; exit 3")).build());
      assertThat(r.verdict()).isInstanceOf(DriftReport.TargetFailure.class);
      assertThat(r.endpoints()).flatMap(DriftReport.EndpointReport::errors)
          .anyMatch(e -> e.contains("login failed: --auth-command exited with 3: no such user"));
    }
  }

  @Test
  void theClientCredentialsGrantGivesEachSideItsToken() throws Exception {
    String secret = "cc-secret-0b7e";
    List<Exchange> cc;
    try (NotesService notes = NotesService.builder().client("reports", secret).start()) {
      String token = clientToken(notes, secret);
      HttpClient http = HttpClient.newHttpClient();
      cc = record(proxy -> {
        try {
          for (String path : List.of("/api/notes", "/api/me", "/api/notes")) {
            http.send(HttpRequest.newBuilder(URI.create(proxy + path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.discarding());
          }
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }, notes);
      Awaitility.await().until(() -> cc.size() == 3);
      assertThat(cc.toString()).doesNotContain(token);
    }
    try (NotesService baseline = NotesService.builder().client("reports", secret).start();
        NotesService sandbox = NotesService.builder().client("reports", secret).start();
        ExchangeSource src = ExchangeSource.of(cc)) {
      ClientCredentials grant = new ClientCredentials(URI.create("/oauth/token"), "reports", "NOTES_SECRET", null);
      DriftReport r = Replayer.create(ReplayOptions.builder().baselineAndSandbox(baseline.baseUri(), sandbox.baseUri())
          .auth(ReplayAuth.clientCredentials(grant, CredentialSource.of(Map.of(ClientCredentials.SECRET_PROPERTY, secret),
              (p, e) -> null))).build()).replay(src, ReplayListener.none());
      assertThat(r.verdict()).as("%s", r.endpoints()).isInstanceOf(DriftReport.Pass.class);
      assertThat(baseline.logins()).isEqualTo(1);
      assertThat(sandbox.logins()).isEqualTo(1);
      assertThat(baseline.authorizedRequests()).isEqualTo(6);
    }
  }

  private static String token(NotesService side) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(side.baseUri().resolve("/login"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}"))
        .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return r.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
  }

  private static String clientToken(NotesService side, String secret) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(side.baseUri().resolve("/oauth/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=reports&client_secret=" + secret))
        .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return r.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
  }
}
