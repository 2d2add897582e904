package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Headers;
import dev.tapline.core.Redactor;
import dev.tapline.core.Request;
import dev.tapline.core.endpoint.Endpoints;
import dev.tapline.core.testing.TestExchanges;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ProxyConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tapline proxy}'s flags for the admin port's token and the proxy's limits, and {@code up}'s token on the admin port. */
class ProxyCommandTest {
  static final String[] REQUIRED = {"--service", "orders", "--upstream", "http://127.0.0.1:9", "--listen", "127.0.0.1:0"};
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;

  static ProxyConfig config(String... args) {
    String[] all = Stream.concat(Stream.of("proxy"), Stream.concat(Stream.of(REQUIRED), Stream.of(args)))
        .toArray(String[]::new);
    CommandLine.ParseResult parsed = Main.commandLine(null).parseArgs(all);
    return ((ProxyCommand) parsed.subcommand().commandSpec().userObject()).toConfig();
  }

  static int status(URI uri, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), BodyHandlers.discarding()).statusCode();
  }

  @Test
  void guardsTheAdminPortWithTheTokenFromTokenOrTokenFile() throws Exception {
    ProxyConfig cfg = config("--admin", "127.0.0.1:0", "--token", "t0k", "--allowed-host", "tapline.internal");
    assertThat(cfg.adminToken()).isEqualTo("t0k");
    assertThat(cfg.adminAllowedHosts()).containsExactly("tapline.internal");
    try (CaptureProxy proxy = CaptureProxy.start(cfg)) {
      assertThat(status(proxy.adminUri().resolve("/routes"))).isEqualTo(401);
      assertThat(status(proxy.adminUri().resolve("/routes"), "Authorization", "Bearer t0k")).isEqualTo(200);
      assertThat(status(proxy.adminUri().resolve("/healthz"))).isEqualTo(200);
    }
    Path file = Files.writeString(dir.resolve("token"), "from-file\n");
    assertThat(config("--token-file", file.toString()).adminToken()).isEqualTo("from-file");
    assertThat(config().adminToken()).isNull();
  }

  @Test
  void takesTheLimitsFromFlagsWithNginxLikeDefaults() {
    ProxyConfig defaults = config();
    assertThat(defaults.clientHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.clientBodyTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(defaults.clientIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(defaults.maxConnections()).isEqualTo(10_000);
    assertThat(defaults.maxConnectionsPerAddress()).isEqualTo(256);
    assertThat(defaults.maxRoutes()).isEqualTo(1000);

    ProxyConfig set = config("--header-timeout", "2s", "--body-timeout", "30s", "--idle-timeout", "90s",
        "--max-connections", "500", "--max-connections-per-address", "50", "--max-routes", "20");
    assertThat(set.clientHeaderTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(set.clientBodyTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(set.clientIdleTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(set.maxConnections()).isEqualTo(500);
    assertThat(set.maxConnectionsPerAddress()).isEqualTo(50);
    assertThat(set.maxRoutes()).isEqualTo(20);
  }

  @Test
  void redactionFlagsAddHeadersFieldsAndValueRulesAndLeaveOutADefaultRule() {
    Redactor r = config("--redact-header", "X-Internal-Key", "--redact-field", "iban",
        "--redact-value", "acme-key=ACME-[0-9]{6}", "--keep-value-rule", "card-number").redactor();
    Body body = Body.text("application/json", "{\"payerIban\":\"DE89370400440532013000\",\"order\":\"4111111111111111\"}");
    Exchange t = TestExchanges.exchange("POST", "/people", null, body, 200, Body.empty(), "ref=ACME-123456");
    Exchange e = r.redact(new Exchange(t.id(), t.startedAt(), t.durationMicros(), t.service(), t.proxy(), null, t.target(),
        null, null, new Request("POST", "http", "api.example.com", "/people", "ref=ACME-123456",
            Headers.of("X-Internal-Key", "k1", "Content-Type", "application/json"), body), t.response(), null, List.of()));
    assertThat(e.request().headers().first("x-internal-key")).isEqualTo("[REDACTED]");
    assertThat(e.request().rawQuery()).isEqualTo("ref=[REDACTED]");
    assertThat(e.request().body().textOrNull()).contains("\"payerIban\":\"[REDACTED]\"", "4111111111111111");
    assertThat(e.redactions()).contains("request.query:acme-key");
    assertThat(config().redactor()).isNotNull();
  }

  @Test
  void badLimitsAndRoutingKeysAreUsageErrorsNamingTheFlag() {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      for (String[] bad : List.of(new String[] {"--max-routes", "0"}, new String[] {"--header-timeout", "soon"},
          new String[] {"--body-timeout", "0s"}, new String[] {"--max-connections-per-address", "many"},
          new String[] {"--sandbox", "has space=http://127.0.0.1:9"}, new String[] {"--redact-value", "x=[unclosed"},
          new String[] {"--redact-value", "no-equals"}, new String[] {"--keep-value-rule", "nonesuch"},
          new String[] {"--redact-field", "two words"}, new String[] {"--spool-max", "lots"},
          new String[] {"--spool-max", "1000"})) {
        String[] args = Stream.concat(Stream.of("proxy"), Stream.concat(Stream.of(REQUIRED), Stream.of(bad)))
            .toArray(String[]::new);
        assertThat(Main.run(args)).as(String.join(" ", bad)).isEqualTo(2);
      }
    } finally {
      System.setErr(original);
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--max-routes", "--header-timeout", "--body-timeout",
        "--max-connections-per-address", "routing key", "--spool-max must be a size in bytes like",
        "--spool-max must be at least 1MiB");
  }

  @Test
  void takesTheSpoolFromFlagsWithSizesInBinaryUnits() {
    ProxyConfig none = config();
    assertThat(none.spoolDir()).isNull();
    assertThat(none.spoolMaxBytes()).isEqualTo(1L << 30);
    ProxyConfig set = config("--spool-dir", dir.resolve("spool").toString(), "--spool-max", "512MiB");
    assertThat(set.spoolDir()).isEqualTo(dir.resolve("spool"));
    assertThat(set.spoolMaxBytes()).isEqualTo(512L << 20);
    assertThat(config("--spool-max", "2g").spoolMaxBytes()).isEqualTo(2L << 30);
    assertThat(config("--spool-max", "1048576").spoolMaxBytes()).isEqualTo(1L << 20);
  }

  @Test
  void upPutsItsTokenOnTheProxyAdminPortToo() throws Exception {
    Deque<AutoCloseable> running = new ArrayDeque<>();
    try {
      Stack stack = Stack.start(new Stack.Settings(SharedKafka.bootstrap(), SharedKafka.uniqueTopic("up-admin"), "orders",
          URI.create("http://127.0.0.1:9"), Map.of(), "sd-override", null, "none", 0, 0, 0, dir.resolve("index"),
          dir.resolve("spool"), 1L << 30, "up-t0k", List.of(), Endpoints.defaults(), new QueryLimitOptions(),
          Redactor.defaults()),
          running);
      URI routes = stack.adminUri().resolve("/routes");
      assertThat(status(routes)).isEqualTo(401);
      assertThat(status(routes, "Authorization", "Bearer up-t0k")).isEqualTo(200);
      assertThat(status(stack.adminUri().resolve("/healthz"))).isEqualTo(200);
    } finally {
      UpCommand.closeAll(running);
    }
  }
}
