package dev.tapline.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.jspecify.annotations.Nullable;

/** The proxy's own responses: JSON {@code {"error": ..., "detail": ...}}, as every Tapline server answers. */
final class ErrorResponses {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ErrorResponses() {}

  static FullHttpResponse json(int status, Map<String, ?> body, boolean keepAlive) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      bytes = ("{\"error\":\"internal\",\"detail\":\"" + e.getClass().getSimpleName() + "\"}").getBytes();
    }
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
        Unpooled.wrappedBuffer(bytes));
    r.headers().set("Content-Type", HttpHeaderValues.APPLICATION_JSON);
    r.headers().setInt("Content-Length", bytes.length);
    r.headers().set("Via", HopByHop.VIA);
    if (!keepAlive) {
      r.headers().set("Connection", HttpHeaderValues.CLOSE);
    }
    return r;
  }

  private static @Nullable SSLException tlsCause(@Nullable Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SSLException e) {
        return e;
      }
    }
    return null;
  }

  /** An upstream that did not answer in time: no TCP connection, or no TLS handshake. A 504. */
  static boolean isTimeout(@Nullable Throwable t) {
    return t instanceof ConnectTimeoutException || tlsCause(t) instanceof SslHandshakeTimeoutException;
  }

  /** A short, stable description of why an upstream could not be reached. */
  static String cause(@Nullable Throwable t) {
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
      String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
      return m.contains("refused") ? "connection refused" : "connect failed: " + t.getMessage();
    }
    if (t instanceof UnknownHostException) {
      return "unknown host";
    }
    if (t instanceof NoRouteToHostException) {
      return "no route to host";
    }
    if (t instanceof ClosedChannelException) {
      return "connection closed";
    }
    if (t instanceof IOException) {
      String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (m.contains("reset")) {
        return "connection reset";
      }
      return "i/o error: " + t.getMessage();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
