package dev.tapline.cli;

import dev.tapline.core.kafka.Topics;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    description = {
      "Indexes captured exchanges from Kafka and serves search, the endpoint catalog, export and a"
          + " live stream over HTTP (see docs/API.md). Runs until Ctrl-C.",
      "The index is a materialized view of the topic: --rebuild (or an empty --index-dir) re-reads"
          + " the topic from the beginning."
    })
final class RecorderCommand implements Callable<Integer> {
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*([smhdw])");

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

  @Option(names = "--token", paramLabel = "T",
      description = "Require 'Authorization: Bearer T' (or the tapline_token cookie) on every request.")
  @Nullable String token;

  @Override
  public Integer call() throws InterruptedException {
    if (kafka == null || kafka.isBlank()) {
      throw new UsageException("--kafka BOOTSTRAP is required (or set TAPLINE_KAFKA)");
    }
    if (indexDir == null) {
      throw new UsageException("--index-dir DIR is required (or set TAPLINE_INDEX_DIR)");
    }
    HostPort hp = HostPort.parse(http, "--http");
    RecorderConfig cfg;
    try {
      cfg = RecorderConfig.builder()
          .kafka(kafka)
          .topic(topic)
          .dlqTopic(dlqTopic)
          .groupId(group)
          .indexDir(indexDir)
          .http(hp.host(), hp.port())
          .retention(duration(retention, "--retention"))
          .rebuild(rebuild)
          .token(token)
          .build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
    Recorder recorder;
    try {
      recorder = Recorder.start(cfg);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new UsageException("cannot use Kafka at " + kafka + ": " + rootMessage(e), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      recorder.close();
      stopped.countDown();
    }, "tapline-recorder-stop"));
    PrintWriter out = spec.commandLine().getOut();
    out.println("tapline recorder: indexing " + topic + " from " + kafka + " into " + indexDir);
    out.println("tapline recorder: API on " + recorder.baseUri() + "/api/exchanges"
        + (token == null ? "" : " (token required)"));
    out.println("tapline recorder: ready (Ctrl-C to stop)");
    out.flush();
    stopped.await();
    return 0;
  }

  /** {@code 7d}, {@code 12h}, {@code 30m}, {@code 45s}, {@code 2w}, or ISO-8601 ({@code PT12H}). */
  static Duration duration(String text, String option) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT_DURATION.matcher(t);
    Duration d;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d = switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
    } else {
      try {
        d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new UsageException(option + " must be a duration like 7d, 12h, 30m or PT12H, got \"" + text + "\"");
      }
    }
    if (d.isZero() || d.isNegative()) {
      throw new UsageException(option + " must be positive, got \"" + text + "\"");
    }
    return d;
  }

  record HostPort(String host, int port) {
    static HostPort parse(String text, String option) {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || colon == text.length() - 1) {
        throw new UsageException(option + " must be HOST:PORT, got \"" + text + "\"");
      }
      String host = text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(text.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 0 || port > 65535) {
        throw new UsageException(option + " port must be 0..65535, got \"" + text.substring(colon + 1) + "\"");
      }
      return new HostPort(host, port);
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }
}
