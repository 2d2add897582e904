package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapline.examples.notes.NotesService;
import dev.tapline.examples.notes.NotesTraffic;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A service that requires logging in, from end to end as a team runs Tapline: {@code tapline proxy
 * --redact-key-file} in front of the notes example publishes to Kafka, the recorder indexes it,
 * {@code tapline generate --verify --runs 3} writes tests that log in with credentials given at run
 * time and pass three runs while tokens expire, {@code tapline replay --auth-from-recording} logs in
 * on both sides and refreshes expired tokens mid-run without reporting drift, and the MCP tools do
 * the same. No recorded token, session cookie or password is on the topic, in the index, in the
 * generated files or in any report.
 */
class AuthEndToEndTest {
  static final String USER = "ann";
  static final String PASSWORD = "e2e-pass-Q7v2";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static String topic;
  static Recorder recorder;
  static NotesTraffic.Result traffic;

  @BeforeAll
  static void recordThroughTheProxyKafkaAndTheRecorder() throws Exception {
    Path key = dir.resolve("redact.key");
    assertThat(RedactKeyFile.createIfMissing(key)).isTrue();
    topic = SharedKafka.uniqueTopic("auth");
    recorder = Recorder.start(RecorderConfig.builder().kafka(SharedKafka.bootstrap()).topic(topic).groupId("g-" + topic)
        .indexDir(dir.resolve("index")).build());
    try (NotesService notes = NotesService.builder().user(USER, PASSWORD).tokenTtl(Duration.ofMillis(700)).start()) {
      CommandLine.ParseResult parsed = Main.commandLine(null).parseArgs("proxy", "--service", "notes",
          "--upstream", notes.baseUri().toString(), "--listen", "127.0.0.1:0", "--kafka", SharedKafka.bootstrap(),
          "--topic", topic, "--capture", "all", "--redact-key-file", key.toString());
      try (CaptureProxy proxy = CaptureProxy.start(((ProxyCommand) parsed.subcommand().commandSpec().userObject()).toConfig())) {
        traffic = NotesTraffic.run(proxy.uri(), USER, PASSWORD, 4, Duration.ofMillis(800));
      }
    }
    assertThat(traffic.relogins()).isPositive();
    await().atMost(Duration.ofSeconds(60)).until(() -> recorder.index().size() == traffic.requests());
  }

  @AfterAll
  static void stop() {
    if (recorder != null) {
      recorder.close();
    }
  }

  static NotesService notes(NotesService.Version v, Duration ttl) {
    return NotesService.builder().version(v).user(USER, PASSWORD).tokenTtl(ttl).sessionTtl(ttl).start();
  }

  /** Runs the CLI in this JVM with the password given as a system property; returns the exit code and what it printed. */
  static Map.Entry<Integer, String> tapline(String... args) {
    System.setProperty("tapline.auth.password", PASSWORD);
    try {
      CliRun r = CliRun.run(args);
      return Map.entry(r.rc(), r.out());
    } finally {
      System.clearProperty("tapline.auth.password");
    }
  }

  @Test
  void generatedTestsLogInAndPassThreeVerificationRunsWhileTokensExpireAndHoldNoSecret() throws Exception {
    Path out = dir.resolve("contract/src/test");
    Map.Entry<Integer, String> run;
    // Tokens serve at most 5 requests besides living 1.5 s, so they expire while the tests run however fast.
    try (NotesService fresh = NotesService.builder().user(USER, PASSWORD).tokenTtl(Duration.ofMillis(1500))
        .sessionTtl(Duration.ofMillis(1500)).maxUses(5).start()) {
      run = tapline("generate", "--from", recorder.baseUri().toString(), "--service", "notes", "--out", out.toString(),
          "--package", "com.example.notes", "--verify", fresh.baseUri().toString(), "--runs", "3");
      assertThat(fresh.expiredRejections()).as("tokens expired while the tests ran").isPositive();
    }
    assertThat(run.getKey()).as(run.getValue()).isZero();
    assertThat(run.getValue()).contains("Logs in like POST /login (exchange ", "through TaplineTarget.authenticatedByLogin()",
        "credentials at run time: tapline.auth.username (or TAPLINE_AUTH_USERNAME), default: the recorded value;"
            + " tapline.auth.password (or TAPLINE_AUTH_PASSWORD), required",
        "Logs in like POST /web/session", "3 run(s) per round, 1 round(s)", "0 assertion(s) removed, 0 test(s) not written");
    assertThat(out.resolve("java/com/example/notes/NotesContractTest.java")).content()
        .contains("given(TaplineTarget.authenticatedByLogin())");
    assertThat(dir.resolve("contract/src/test/tapline-report.md")).content().contains("## Authentication");
    assertNoSecretUnder(dir.resolve("contract"));
  }

  @Test
  void replayLogsInOnBothSidesRefreshesExpiredTokensAndReportsNoDriftBetweenEqualVersions() throws Exception {
    Path reports = dir.resolve("reports-equal");
    Map.Entry<Integer, String> run;
    try (NotesService baseline = notes(NotesService.Version.V1, Duration.ofMillis(800));
        NotesService sandbox = notes(NotesService.Version.V1, Duration.ofMillis(800))) {
      run = tapline("replay", "--from", recorder.baseUri().toString(), "--query", "service:notes",
          "--baseline", baseline.baseUri().toString(), "--sandbox", sandbox.baseUri().toString(),
          "--auth-from-recording", "--rate", "25", "--concurrency", "2", "--report-dir", reports.toString());
      for (NotesService side : List.of(baseline, sandbox)) {
        assertThat(side.expiredRejections()).as("a token expired mid-run").isPositive();
        assertThat(side.logins()).isGreaterThanOrEqualTo(3);
        assertThat(side.authorizedRequests()).isGreaterThanOrEqualTo(15);
      }
    }
    assertThat(run.getKey()).as(run.getValue()).isZero();
    assertThat(run.getValue()).contains("replay pass: 0 breaking, 0 compatible");
    assertThat(reports.resolve("drift.json")).content().contains("\"verdict\":\"pass\"");
    assertNoSecretUnder(reports);

    Path changed = dir.resolve("reports-v2");
    try (NotesService baseline = notes(NotesService.Version.V1, Duration.ofMinutes(5));
        NotesService sandbox = notes(NotesService.Version.V2, Duration.ofMinutes(5))) {
      run = tapline("replay", "--from", recorder.baseUri().toString(), "--query", "service:notes",
          "--baseline", baseline.baseUri().toString(), "--sandbox", sandbox.baseUri().toString(),
          "--auth-from-recording", "--report-dir", changed.toString());
    }
    assertThat(run.getKey()).as(run.getValue()).isEqualTo(1);
    assertThat(run.getValue()).contains("GET /api/me  $.displayName");
    assertNoSecretUnder(changed);
  }

  @Test
  void badAuthFlagsAreOneLineErrorsWithExitCodeTwo() {
    String from = recorder.baseUri().toString();
    assertThat(tapline("replay", "--from", from, "--baseline", "http://127.0.0.1:9", "--sandbox", "http://127.0.0.1:9",
        "--auth-from-recording", "--auth-command", "echo x").getKey()).isEqualTo(2);
    assertThat(tapline("replay", "--from", from, "--baseline", "http://127.0.0.1:9", "--sandbox", "http://127.0.0.1:9",
        "--auth", "client-credentials", "--token-url", "/oauth/token").getKey()).isEqualTo(2);
    assertThat(tapline("generate", "--from", from, "--out", dir.resolve("x").toString(), "--package", "a.b",
        "--auth", "sometimes").getKey()).isEqualTo(2);
    assertThat(tapline("generate", "--from", from, "--out", dir.resolve("x").toString(), "--package", "a.b",
        "--client-id", "reports").getKey()).isEqualTo(2);
    // Without the password, replay says where to give it before sending anything.
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = Main.run("replay", "--from", from, "--query", "service:notes", "--baseline", "http://127.0.0.1:9",
          "--sandbox", "http://127.0.0.1:9", "--auth-from-recording", "--report-dir", dir.resolve("none").toString());
    } finally {
      System.setErr(err);
    }
    assertThat(rc).isEqualTo(2);
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("tapline.auth.password (or TAPLINE_AUTH_PASSWORD)");
  }

  @Test
  void theMcpToolsLogInTheSameWayWithCredentialsFromTheServersEnvironment() throws Exception {
    ServerParameters params = ServerParameters.builder(McpCommandTest.java())
        .args(McpCommandTest.childArgs("--from", recorder.baseUri().toString()))
        .env(Map.of("TAPLINE_AUTH_PASSWORD", PASSWORD))
        .build();
    McpSyncClient client = McpClient.sync(new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper())))
        .requestTimeout(Duration.ofSeconds(120)).build();
    List<String> texts = new ArrayList<>();
    try (NotesService baseline = notes(NotesService.Version.V1, Duration.ofMinutes(5));
        NotesService sandbox = notes(NotesService.Version.V2, Duration.ofMinutes(5))) {
      client.initialize();
      String generated = text(client.callTool(McpSchema.CallToolRequest.builder("generate_tests")
          .arguments(Map.of("service", "notes", "package", "com.example.notes.mcp")).build()), false);
      assertThat(generated).contains("The tests log in like POST /login (TaplineTarget.authenticatedByLogin())",
          "tapline.auth.password (or TAPLINE_AUTH_PASSWORD), required");
      texts.add(generated);
      String drift = text(client.callTool(McpSchema.CallToolRequest.builder("check_drift").arguments(Map.of(
          "service", "notes", "baseline", baseline.baseUri().toString(), "sandbox", sandbox.baseUri().toString(),
          "auth", "recorded")).build()), false);
      assertThat(drift).startsWith("DRIFT").contains("GET /api/me  $.displayName");
      assertThat(baseline.logins()).isPositive();
      texts.add(drift);
      String bad = text(client.callTool(McpSchema.CallToolRequest.builder("check_drift").arguments(Map.of(
          "service", "notes", "baseline", baseline.baseUri().toString(), "sandbox", sandbox.baseUri().toString(),
          "auth", "client-credentials", "tokenUrl", "/oauth/token")).build()), true);
      assertThat(bad).contains("needs tokenUrl, clientId and clientSecretEnv");
    } finally {
      client.closeGracefully();
    }
    for (String t : texts) {
      for (String secret : traffic.secrets()) {
        assertThat(t).doesNotContain(secret);
      }
    }
  }

  @Test
  void noRecordedTokenCookieOrPasswordIsOnTheTopicOrInTheIndex() throws Exception {
    Set<String> secrets = traffic.secrets();
    assertThat(secrets).hasSizeGreaterThan(4);
    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<String> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (records.size() < traffic.requests() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> records.add(new String(r.value(), StandardCharsets.UTF_8)));
      }
    }
    assertThat(records).hasSize(traffic.requests());
    assertThat(String.join("\n", records)).contains("Bearer [REDACTED:", "NOTES_SESSION=[REDACTED:",
        "\\\"access_token\\\":\\\"[REDACTED:");
    HttpClient http = HttpClient.newHttpClient();
    String export = http.send(HttpRequest.newBuilder(URI.create(recorder.baseUri() + "/api/export?q=service:notes")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(export.lines().count()).isEqualTo(traffic.requests());
    for (String secret : secrets) {
      assertThat(String.join("\n", records)).as("the topic").doesNotContain(secret);
      assertThat(export).as("the index").doesNotContain(secret);
      String hits = http.send(HttpRequest.newBuilder(URI.create(recorder.baseUri() + "/api/exchanges?q="
          + URLEncoder.encode("\"" + secret + "\"", StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(JSON.readTree(hits).path("items")).as("a search for a secret: %s", hits).isEmpty();
    }
  }

  private static String text(McpSchema.CallToolResult r, boolean error) {
    String t = ((McpSchema.TextContent) r.content().get(0)).text();
    assertThat(r.isError()).as(t).isEqualTo(error);
    return t;
  }

  private static void assertNoSecretUnder(Path root) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      String content = Files.readString(f, StandardCharsets.ISO_8859_1);
      for (String secret : traffic.secrets()) {
        assertThat(content).as("%s holds a recorded secret", f).doesNotContain(secret);
      }
    }
  }
}
