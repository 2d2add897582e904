package dev.tapline.cli;

import dev.tapline.recorder.RecorderConfig;
import picocli.CommandLine.Option;

/**
 * Mixin for the commands that run a recorder ({@code up}, {@code recorder}): how long one query may
 * run and how many searches, exports and live streams are answered at once (docs/API.md, "Limits").
 */
final class QueryLimitOptions {
  @Option(names = "--query-timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "Stop a search, endpoint catalog or export page that runs longer: 503 query_timeout (default: ${DEFAULT-VALUE}).")
  String queryTimeout = "10s";

  @Option(names = "--max-searches", paramLabel = "N", defaultValue = "8",
      description = "Searches and catalogs answered at once; more get 429 (default: ${DEFAULT-VALUE}).")
  int maxSearches = 8;

  @Option(names = "--max-exports", paramLabel = "N", defaultValue = "2",
      description = "Exports streamed at once; more get 429 (default: ${DEFAULT-VALUE}).")
  int maxExports = 2;

  @Option(names = "--max-streams", paramLabel = "N", defaultValue = "64",
      description = "Live-stream responses open at once; more get 429 (default: ${DEFAULT-VALUE}).")
  int maxStreams = 64;

  /** Checks the values, so a bad one ends the command before anything starts. */
  void validate() {
    Durations.positive("--query-timeout", queryTimeout);
    atLeastOne("--max-searches", maxSearches);
    atLeastOne("--max-exports", maxExports);
    atLeastOne("--max-streams", maxStreams);
  }

  RecorderConfig.Builder applyTo(RecorderConfig.Builder b) {
    validate();
    return b.queryTimeout(Durations.positive("--query-timeout", queryTimeout))
        .maxSearches(maxSearches)
        .maxExports(maxExports)
        .maxStreams(maxStreams);
  }

  private static void atLeastOne(String flag, int n) {
    if (n < 1) {
      throw new UsageException(flag + " must be at least 1, got " + n);
    }
  }
}
