package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.kafka.KafkaSettings;
import dev.tapline.examples.OrdersService;
import dev.tapline.kafka.embedded.EmbeddedKafka;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ProxyConfig;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command that talks to Kafka reaches a cluster that needs TLS and SASL/SCRAM through the
 * {@link KafkaOptions} flags or a {@code --kafka-config} file: proxy → Kafka (SASL_SSL, SCRAM) →
 * recorder, and {@code tail}, against the embedded broker's secured listener.
 */
class KafkaSecurityTest {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final String PASSWORD = "s3cret \"pass\" word";

  @TempDir Path dir;

  static Object command(String... args) {
    CommandLine.ParseResult parsed = Main.commandLine(null).parseArgs(args);
    return parsed.subcommand().commandSpec().userObject();
  }

  static String[] concat(String[] a, String... b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }

  @Test
  void theProxyCapturesOverTlsAndScramAndTheRecorderIndexesEveryExchange() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder(dir.resolve("kafka")).tls().scram("tapline", PASSWORD).start();
        OrdersService upstream = OrdersService.start(OrdersService.Version.V1, 0)) {
      String topic = "secured.exchanges";
      Path passwordFile = Files.writeString(dir.resolve("kafka-password"), PASSWORD + "\n");
      String[] flags = {"--kafka", kafka.securedBootstrapServers(),
          "--kafka-ssl-truststore", kafka.caCertificate().toString(),
          "--kafka-sasl-mechanism", "SCRAM-SHA-512", "--kafka-sasl-username", "tapline",
          "--kafka-sasl-password-file", passwordFile.toString()};

      ProxyCommand proxyCommand = (ProxyCommand) command(concat(concat(new String[] {"proxy"}, flags),
          "--service", "orders", "--upstream", upstream.baseUri().toString(), "--listen", "127.0.0.1:0",
          "--capture", "all", "--topic", topic));
      ProxyConfig proxyConfig = proxyCommand.toConfig();
      assertThat(proxyConfig.kafka().securityProtocol()).isEqualTo("SASL_SSL");
      assertThat(proxyConfig.kafka().describe()).doesNotContain("s3cret");

      // The recorder reads the same cluster through a client properties file, as Kafka's tools do.
      Path clientProperties = dir.resolve("client.properties");
      Properties p = new Properties();
      p.setProperty("bootstrap.servers", kafka.securedBootstrapServers());
      p.putAll(kafka.securedClientProperties());
      try (var w = Files.newBufferedWriter(clientProperties)) {
        p.store(w, null);
      }
      RecorderCommand recorderCommand = (RecorderCommand) command("recorder", "--kafka-config", clientProperties.toString(),
          "--index-dir", dir.resolve("index").toString());
      KafkaSettings recorderKafka = recorderCommand.kafkaOptions.settings(recorderCommand.kafka);
      assertThat(recorderKafka.properties()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-256");

      List<String> paths = new ArrayList<>();
      try (CaptureProxy proxy = CaptureProxy.start(proxyConfig);
          Recorder recorder = Recorder.start(RecorderConfig.builder().kafka(recorderKafka).topic(topic)
              .indexDir(dir.resolve("index")).build())) {
        for (int i = 0; i < 30; i++) {
          String path = "/orders/secured-" + i;
          paths.add(path);
          assertThat(HTTP.send(HttpRequest.newBuilder(proxy.uri().resolve(path)).build(), BodyHandlers.discarding())
              .statusCode()).isEqualTo(404);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> recorder.index().size() == paths.size());
        Set<String> indexedPaths = new HashSet<>();
        Set<String> indexedIds = new HashSet<>();
        recorder.index().search("service:orders", 100, null).items().forEach(s -> {
          indexedPaths.add(s.path());
          indexedIds.add(s.id());
        });
        assertThat(indexedPaths).containsExactlyInAnyOrderElementsOf(paths);

        // tail reads the topic over the secured listener too: the same exchanges, by id
        Set<String> tailed = new HashSet<>();
        for (String line : tail(concat(concat(new String[] {"tail"}, flags), "--topic", topic, "--from-beginning",
            "--limit", String.valueOf(paths.size()), "--idle-timeout", "30s"))) {
          tailed.add(ExchangeCodec.mapper().readTree(line).get("id").asText());
        }
        assertThat(tailed).isEqualTo(indexedIds);
      }
    }
  }

  /** Runs {@code tapline tail} in this JVM and returns the lines it printed. */
  private static List<String> tail(String... args) {
    CliRun r = CliRun.run(args);
    assertThat(r.rc()).isZero();
    return r.out().lines().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void thePasswordComesFromAFileOrTheEnvironmentAndNeverFromAFlag() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    ProxyCommand c = (ProxyCommand) command("proxy", "--service", "s", "--upstream", "http://127.0.0.1:9",
        "--kafka", "kafka-1:9093", "--kafka-ssl-truststore", ca.toString(),
        "--kafka-sasl-mechanism", "SCRAM-SHA-256", "--kafka-sasl-username", "tapline");
    c.kafkaOptions.env = Map.of(KafkaOptions.PASSWORD_ENV, "from-env");
    KafkaSettings k = c.toConfig().kafka();
    assertThat(k.properties()).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry("sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"tapline\" password=\"from-env\";");

    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      String[] base = {"proxy", "--service", "s", "--upstream", "http://127.0.0.1:9", "--listen", "127.0.0.1:0"};
      assertThat(Main.run(concat(base, "--kafka", "k:9093", "--kafka-sasl-mechanism", "SCRAM-SHA-256",
          "--kafka-sasl-username", "u", "--kafka-sasl-password", "visible-in-ps"))).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown options: '--kafka-sasl-password'");
      err.reset();
      assertThat(Main.run(concat(base, "--kafka-sasl-mechanism", "SCRAM-SHA-256"))).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("need --kafka BOOTSTRAP");
      err.reset();
      Path groupFile = Files.writeString(dir.resolve("bad.properties"), "group.id=mine\n");
      assertThat(Main.run(concat(base, "--kafka", "k:9093", "--kafka-config", groupFile.toString()))).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("group.id cannot be set in Kafka client properties: Tapline sets it for each client");
      err.reset();
      assertThat(Main.run(concat(base, "--kafka", "k:9093", "--kafka-security-protocol", "SSL",
          "--kafka-sasl-mechanism", "SCRAM-SHA-256", "--kafka-sasl-username", "u",
          "--kafka-sasl-password-file", Files.writeString(dir.resolve("pw"), "pw").toString()))).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("SASL needs security protocol SASL_SSL or SASL_PLAINTEXT, not SSL");
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void everyCommandThatTalksToKafkaTakesTheSameOptions() {
    CommandLine cl = Main.commandLine(null);
    for (String name : List.of("up", "proxy", "recorder", "tail", "replay")) {
      List<String> options = cl.getSubcommands().get(name).getCommandSpec().options().stream()
          .map(o -> o.longestName()).toList();
      assertThat(options).as(name).contains("--kafka", "--kafka-config", "--kafka-security-protocol",
          "--kafka-ssl-truststore", "--kafka-ssl-truststore-password-file", "--kafka-sasl-mechanism",
          "--kafka-sasl-username", "--kafka-sasl-password-file");
    }
  }
}
