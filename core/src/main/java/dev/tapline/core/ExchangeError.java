package dev.tapline.core;

import static java.util.Objects.requireNonNull;

/** Why there is no (complete) response: what went wrong between the proxy and the upstream. */
public record ExchangeError(Kind kind, String message) {
  public enum Kind {
    /** The upstream refused the connection or could not be resolved. */
    REFUSED,
    /** No response in time. */
    TIMEOUT,
    /** The connection was closed or reset before the response was complete. */
    RESET,
    /** The client went away before the response was complete. */
    CLIENT_ABORTED,
    /** Anything else. */
    OTHER
  }

  public ExchangeError {
    requireNonNull(kind, "kind");
    requireNonNull(message, "message");
  }
}
