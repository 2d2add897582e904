package dev.tapline.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;

/**
 * One upstream server, over plain HTTP or TLS ({@code https://}), spoken to in HTTP/1.1 or, for
 * gRPC, in HTTP/2 ({@link #http2()}: h2c by prior knowledge, or TLS with ALPN {@code h2}). The
 * address is resolved once, when the route is set, so that connecting never resolves names on an
 * event loop.
 *
 * @param h2 connections to it speak HTTP/2 ({@link Http2Upstreams}); pooled apart from HTTP/1.1 ones
 */
record Upstream(URI uri, String hostPort, InetSocketAddress address, boolean h2) {

  Upstream(URI uri, String hostPort, InetSocketAddress address) {
    this(uri, hostPort, address, false);
  }

  /** The same server spoken to in HTTP/2. */
  Upstream http2() {
    return h2 ? this : new Upstream(uri, hostPort, address, true);
  }

  static Upstream of(URI uri) {
    URI u = validate(uri, "upstream");
    int port = u.getPort() >= 0 ? u.getPort() : u.getScheme().equals("https") ? 443 : 80;
    String host = u.getHost();
    InetSocketAddress addr = new InetSocketAddress(host, port);
    if (addr.isUnresolved()) {
      throw new IllegalArgumentException("upstream host cannot be resolved: " + host + " (in " + uri + ")");
    }
    return new Upstream(u, host + ":" + port, addr);
  }

  /** Checks that {@code uri} is an absolute {@code http(s)://host[:port]} URI; returns it normalized. */
  static URI validate(URI uri, String what) {
    String s = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!s.equals("http") && !s.equals("https")) {
      throw new IllegalArgumentException(what + " must be an http:// or https:// URL: " + uri);
    }
    if (uri.getRawUserInfo() != null) {
      // The proxy would not send them, and the URL appears in 502 bodies and captures.
      throw new IllegalArgumentException(what + " must not carry credentials (user:password@): "
          + s + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()));
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(what + " has no host: " + uri);
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null) {
      throw new IllegalArgumentException(what + " must not have a path or query (requests keep theirs): " + uri);
    }
    return URI.create(s + "://" + uri.getRawAuthority());
  }

  /** True for an {@code https://} upstream: connections to it start with a TLS handshake. */
  boolean tls() {
    return uri.getScheme().equals("https");
  }

  /** The host name (or address, without IPv6 brackets) the upstream's certificate must name. */
  String host() {
    String h = uri.getHost();
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  @Override
  public String toString() {
    return uri.toString();
  }
}
