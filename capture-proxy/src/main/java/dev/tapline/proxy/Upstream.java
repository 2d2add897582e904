package dev.tapline.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;

/**
 * One upstream server. The address is resolved once, when the route is set, so that connecting
 * never resolves names on an event loop.
 */
record Upstream(URI uri, String hostPort, InetSocketAddress address) {

  static Upstream of(URI uri) {
    URI u = validate(uri, "upstream");
    int port = u.getPort() < 0 ? 80 : u.getPort();
    String host = u.getHost();
    InetSocketAddress addr = new InetSocketAddress(host, port);
    if (addr.isUnresolved()) {
      throw new IllegalArgumentException("upstream host cannot be resolved: " + host + " (in " + uri + ")");
    }
    return new Upstream(u, host + ":" + port, addr);
  }

  /** Checks that {@code uri} is an absolute {@code http://host[:port]} URI; returns it normalized. */
  static URI validate(URI uri, String what) {
    String s = uri.getScheme();
    if (s == null || !s.toLowerCase(Locale.ROOT).equals("http")) {
      throw new IllegalArgumentException(what + " must be an http:// URL: " + uri);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(what + " has no host: " + uri);
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null) {
      throw new IllegalArgumentException(what + " must not have a path or query (requests keep theirs): " + uri);
    }
    return URI.create("http://" + uri.getRawAuthority());
  }

  @Override
  public String toString() {
    return uri.toString();
  }
}
