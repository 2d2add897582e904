package dev.tapline.cli;

import dev.tapline.core.Metrics;
import dev.tapline.core.endpoint.Endpoints;
import dev.tapline.core.kafka.Topics;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import dev.tapline.ui.TaplineUi;
import dev.tapline.ui.UiOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapline recorder}: Kafka → Lucene index, plus the HTTP API, until Ctrl-C. */
@Command(
    name = "recorder",
    mixinStandardHelpOptions = true,
    header = "Indexes captured exchanges from Kafka and serves search, the endpoint catalog, export and a live stream over HTTP.",
    description = {
      "The API is in docs/API.md. Runs until Ctrl-C.",
      "The index is a materialized view of the topic: --rebuild (or an empty --index-dir) re-reads"
          + " the topic from the beginning."
    })
final class RecorderCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ConfigOption config;

  @Option(names = "--kafka", paramLabel = "BOOTSTRAP", description = "Kafka bootstrap servers (host:port[,host:port]). Required.")
  @Nullable String kafka;

  @Option(names = "--topic", paramLabel = "T", defaultValue = Topics.EXCHANGES, description = "Exchanges topic (default: ${DEFAULT-VALUE}).")
  String topic = Topics.EXCHANGES;

  @Option(names = "--dlq-topic", paramLabel = "T", defaultValue = Topics.EXCHANGES_DLQ,
      description = "Where undecodable records go (default: ${DEFAULT-VALUE}).")
  String dlqTopic = Topics.EXCHANGES_DLQ;

  @Option(names = "--group", paramLabel = "G", defaultValue = "tapline-recorder", description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
  String group = "tapline-recorder";

  @Option(names = "--index-dir", paramLabel = "DIR", description = "Directory of the Lucene index (created when missing). Required.")
  @Nullable Path indexDir;

  @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7070",
      description = "Where the HTTP API listens; port 0 picks a free one (default: ${DEFAULT-VALUE}).")
  String http = "127.0.0.1:7070";

  @Option(names = "--retention", paramLabel = "DURATION", defaultValue = "7d",
      description = "Delete exchanges older than this: 7d, 12h, 30m, 45s, 2w or ISO-8601 (default: ${DEFAULT-VALUE}).")
  String retention = "7d";

  @Option(names = "--rebuild", description = "Discard the index and re-read the topic from the beginning.")
  boolean rebuild;

  @Mixin ServerToken serverToken = new ServerToken();

  @Mixin GraphqlPaths graphqlPaths = new GraphqlPaths();
  @Mixin QueryLimitOptions limits = new QueryLimitOptions();

  @Override
  public Integer call() throws InterruptedException {
    if (kafka == null || kafka.isBlank()) {
      throw new UsageException("--kafka BOOTSTRAP is required (or set TAPLINE_KAFKA)");
    }
    if (indexDir == null) {
      throw new UsageException("--index-dir DIR is required (or set TAPLINE_INDEX_DIR)");
    }
    Cli.HostPort hp = Cli.hostPort("--http", http).requireFree("--http");
    limits.validate();
    String token = serverToken.value();
    if (token == null && !Cli.HostPort.loopback(hp.host())) {
      System.err.println("warning: the API and UI on " + hp.host() + ":" + hp.port() + " take no token and listen beyond"
          + " this machine: anyone who reaches them can search and export the captured traffic; give --token-file FILE");
    }
    // The recorder process serves the UI too; drift runs come from the same cluster.
    TaplineUi ui = TaplineUi.create(UiOptions.builder().token(token).kafka(kafka).build());
    RecorderConfig cfg;
    try {
      cfg = limits.applyTo(ui.install(RecorderConfig.builder()))
          .kafka(kafka)
          .topic(topic)
          .dlqTopic(dlqTopic)
          .groupId(group)
          .indexDir(indexDir)
          .http(hp.host(), hp.port())
          .retention(Durations.positive("--retention", retention))
          .rebuild(rebuild)
          .token(token)
          .allowedHosts(serverToken.allowedHosts)
          .meterRegistry(Metrics.processRegistry())
          .endpoints(Endpoints.of(graphqlPaths.resolver()))
          .build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
    Recorder recorder;
    try {
      recorder = Recorder.start(cfg);
    } catch (org.apache.kafka.common.KafkaException e) {
      ui.close();
      throw new UsageException("cannot use Kafka at " + kafka + ": " + rootMessage(e), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      recorder.close();
      ui.close();
      stopped.countDown();
    }, "tapline-recorder-stop"));
    PrintWriter out = spec.commandLine().getOut();
    out.println("tapline recorder: indexing " + topic + " from " + kafka + " into " + indexDir);
    out.println("tapline recorder: UI on " + recorder.baseUri() + ", API on " + recorder.baseUri() + "/api/exchanges"
        + (token == null ? "" : " (token required)"));
    out.println("tapline recorder: ready (Ctrl-C to stop)");
    out.flush();
    stopped.await();
    return 0;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }
}
