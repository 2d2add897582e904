package dev.tapline.cli;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Mixin for the commands that read recorded traffic and narrow it: {@code generate}, {@code spec}. */
final class TrafficInput {
  @Option(names = "--from", required = true, paramLabel = "URL|FILE",
      description = "A recorder URL (http(s)://host:port, its /api/export is read) or an NDJSON file.")
  String from;

  @Option(names = "--query", paramLabel = "Q", description = "Lucene query sent to the recorder's export.")
  @Nullable String query;

  @Option(names = "--service", paramLabel = "S", description = "Only exchanges of this service.")
  @Nullable String service;

  @Option(names = "--routing-key", paramLabel = "K", description = "Only exchanges with this routing key.")
  @Nullable String routingKey;

  @Option(names = "--origin", paramLabel = "LIST", defaultValue = "live",
      description = "Whose traffic to use: live (default: users' traffic only), replay, test, verify, a comma list, or all."
          + " Tapline's own requests carry a tapline-origin header and are left out unless named here.")
  String origin;

  @Mixin RecorderToken token = new RecorderToken();

  /** The origins {@code --origin} names. */
  java.util.Set<dev.tapline.core.Origin> origins() {
    try {
      return dev.tapline.core.Origin.parseList(origin);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--origin: " + e.getMessage(), e);
    }
  }
}
