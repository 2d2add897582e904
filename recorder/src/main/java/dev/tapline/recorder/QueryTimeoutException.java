package dev.tapline.recorder;

import java.time.Duration;

/**
 * A search, export page, catalog or live-stream run that went past its deadline and was stopped
 * (see {@link RecorderConfig.Builder#queryTimeout}). The HTTP API answers it with {@code 503
 * query_timeout}.
 */
public final class QueryTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Duration timeout;

  QueryTimeoutException(Duration timeout) {
    super("the query ran for more than " + describe(timeout) + " and was stopped");
    this.timeout = timeout;
  }

  /** How long the query was allowed to run. */
  public Duration timeout() {
    return timeout;
  }

  static String describe(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }
}
