package dev.tapline.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Header rules of a forwarding proxy (RFC 9110 section 7.6): hop-by-hop headers stay on their hop,
 * {@code Via} and {@code X-Forwarded-*} are added. Everything else passes in its original order and
 * case. {@code Transfer-Encoding} is left to the codecs, which re-frame the streamed body.
 */
final class HopByHop {
  static final String VIA = "1.1 tapline";
  private static final AsciiString VIA_NAME = AsciiString.cached("Via");
  // HttpHeaderNames.KEEP_ALIVE is deprecated (not a standard header), but RFC 9110 still lists it as hop-by-hop.
  private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
  private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
  private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
  private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");

  private HopByHop() {}

  /** True for {@code Upgrade: websocket} with {@code Connection: upgrade}. */
  static boolean isWebSocketUpgrade(HttpHeaders h) {
    return h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        && h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  /**
   * Headers a {@code Connection} option may not remove: the message's framing ({@code Content-Length},
   * {@code Transfer-Encoding}, which the codecs own) and {@code Host}, which names the resource. A
   * client that lists them is not asking for anything a proxy may do (RFC 9110 section 7.6.1).
   */
  static boolean endToEnd(String name) {
    return name.equalsIgnoreCase("host") || name.equalsIgnoreCase("content-length")
        || name.equalsIgnoreCase("transfer-encoding");
  }

  /**
   * Strips hop-by-hop headers: {@code Connection} and every header it names (but {@link #endToEnd}
   * ones), {@code Keep-Alive},
   * {@code TE}, {@code Trailer}, {@code Proxy-Connection}, and {@code Upgrade} (kept, with {@code
   * Connection: upgrade}, when {@code keepUpgrade}: a WebSocket handshake must reach the upstream).
   */
  static void strip(HttpHeaders h, boolean keepUpgrade) {
    List<String> connection = h.getAll(HttpHeaderNames.CONNECTION);
    if (!connection.isEmpty()) {
      for (String value : connection) {
        for (String token : value.split(",")) {
          String name = token.trim();
          if (!name.isEmpty() && !(keepUpgrade && name.equalsIgnoreCase("upgrade")) && !endToEnd(name)) {
            h.remove(name);
          }
        }
      }
      h.remove(HttpHeaderNames.CONNECTION);
    }
    h.remove(KEEP_ALIVE);
    h.remove(HttpHeaderNames.TE);
    h.remove(HttpHeaderNames.TRAILER);
    h.remove(PROXY_CONNECTION);
    if (keepUpgrade) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    } else {
      h.remove(HttpHeaderNames.UPGRADE);
    }
  }

  /**
   * Readies a client's request head for the upstream: hop-by-hop headers out ({@code Upgrade} kept
   * for a WebSocket handshake), {@code Via} and {@code X-Forwarded-*} in, sent as HTTP/1.1. When an
   * HTTP/1.0 client sent no {@code Host} ({@link RequestChecks} refuses an HTTP/1.1 request without
   * one), the caller sets the upstream's with {@link #hostFor} for each upstream it tries.
   *
   * @param host the client's {@code Host}, or empty
   */
  static void forUpstream(HttpRequest req, boolean webSocket, String host, String clientIp) {
    HttpHeaders h = req.headers();
    strip(h, webSocket);
    addForwarded(h, clientIp, host);
    req.setProtocolVersion(HttpVersion.HTTP_1_1);
  }

  /** Sets {@code Host} to the upstream's, for a request whose client sent none. */
  static void hostFor(HttpRequest req, Upstream upstream) {
    req.headers().set(HttpHeaderNames.HOST, upstream.hostPort());
  }

  /** Adds {@code Via} and {@code X-Forwarded-For/-Proto/-Host} to a request going upstream. */
  static void addForwarded(HttpHeaders h, String clientIp, String host) {
    addVia(h);
    String xff = h.get(X_FORWARDED_FOR);
    h.set(X_FORWARDED_FOR, xff == null || xff.isBlank() ? clientIp : xff + ", " + clientIp);
    if (!h.contains(X_FORWARDED_PROTO)) {
      h.set(X_FORWARDED_PROTO, "http");
    }
    if (!host.isEmpty() && !h.contains(X_FORWARDED_HOST)) {
      h.set(X_FORWARDED_HOST, host);
    }
  }

  /**
   * Readies an upstream's response head for the client: hop-by-hop headers out, {@code Via} in, the
   * body re-framed where the client could not read it as sent, {@code Connection} saying what follows.
   *
   * @param keepAlive whether the client connection could stay open so far
   * @return whether it can stay open after this response
   */
  static boolean forClient(HttpResponse resp, boolean http10, boolean head, boolean keepAlive) {
    HttpHeaders h = resp.headers();
    strip(h, false);
    addVia(h);
    int status = resp.status().code();
    boolean bodyAllowed = !head && status >= 200 && status != 204 && status != 304;
    if (http10 && HttpUtil.isTransferEncodingChunked(resp)) {
      // An HTTP/1.0 client cannot read chunks: send the body raw and end it by closing.
      HttpUtil.setTransferEncodingChunked(resp, false);
      keepAlive = false;
    } else if (bodyAllowed && !HttpUtil.isContentLengthSet(resp) && !HttpUtil.isTransferEncodingChunked(resp)) {
      // The upstream delimits the body by closing; re-frame it so the client connection can stay.
      if (http10) {
        keepAlive = false;
      } else {
        HttpUtil.setTransferEncodingChunked(resp, true);
      }
    }
    if (http10 && keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    } else if (!keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    resp.setProtocolVersion(HttpVersion.HTTP_1_1);
    return keepAlive;
  }

  static void addVia(HttpHeaders h) {
    String via = h.get(VIA_NAME);
    h.set(VIA_NAME, via == null || via.isBlank() ? VIA : via + ", " + VIA);
  }
}
