package dev.tapline.proxy;

import dev.tapline.core.ExchangeError;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.jspecify.annotations.Nullable;

/**
 * An upstream that gave no response: the status the proxy answers with (502, or 504 when it did
 * not answer in time), the kind recorded in the capture, a short stable cause, and the upstream.
 */
record UpstreamFailure(int status, ExchangeError.Kind kind, String cause, URI upstream) {

  /**
   * From what the connection reported: a connect or TLS handshake timeout is a 504, anything else
   * a 502 of {@code kind}; no throwable means the upstream closed the connection.
   */
  static UpstreamFailure of(@Nullable Throwable t, ExchangeError.Kind kind, URI upstream) {
    String cause = t == null ? "connection closed before a response" : describe(t);
    return isTimeout(t)
        ? new UpstreamFailure(504, ExchangeError.Kind.TIMEOUT, cause, upstream)
        : new UpstreamFailure(502, kind, cause, upstream);
  }

  /** A complete request without a response head in time: a 504. */
  static UpstreamFailure timedOut(String cause, URI upstream) {
    return new UpstreamFailure(504, ExchangeError.Kind.TIMEOUT, cause, upstream);
  }

  /** What the proxy's JSON answer says. */
  String detail() {
    return (status == 504 ? "upstream timed out: " : "upstream unavailable: ") + cause;
  }

  /** What the capture records. */
  ExchangeError error() {
    return new ExchangeError(kind, cause + " (" + upstream + ")");
  }

  /** An upstream that did not answer in time: no TCP connection, or no TLS handshake. */
  static boolean isTimeout(@Nullable Throwable t) {
    return t instanceof ConnectTimeoutException || tlsCause(t) instanceof SslHandshakeTimeoutException;
  }

  /** A short, stable description of why an upstream could not be reached. */
  static String describe(@Nullable Throwable t) {
    if (t == null) {
      return "connection closed";
    }
    if (t instanceof ConnectTimeoutException) {
      return "connect timed out";
    }
    SSLException tls = tlsCause(t);
    if (tls instanceof SslHandshakeTimeoutException) {
      return "TLS handshake timed out";
    }
    if (tls instanceof SSLHandshakeException) {
      return "TLS handshake failed: " + tls.getMessage();
    }
    if (tls != null) {
      return "TLS error: " + tls.getMessage();
    }
    if (t instanceof ConnectException || (t.getCause() instanceof ConnectException)) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      return m.contains("refused") ? "connection refused" : "connect failed: " + t.getMessage();
    }
    if (t instanceof UnknownHostException) {
      return "unknown host";
    }
    if (t instanceof NoRouteToHostException) {
      return "no route to host";
    }
    if (t instanceof ResponseChecks.Rejected) {
      return t.getMessage();
    }
    if (t instanceof ClosedChannelException) {
      return "connection closed";
    }
    if (t instanceof IOException) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("reset")) {
        return "connection reset";
      }
      return "i/o error: " + t.getMessage();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  private static @Nullable SSLException tlsCause(@Nullable Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SSLException e) {
        return e;
      }
    }
    return null;
  }
}
