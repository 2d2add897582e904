package dev.tapline.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Iterator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the proxy refuses to forward in a request head Netty decoded, because an upstream could read
 * it differently than the proxy did (RFC 9112), and the one rewrite it makes. Netty's decoder has
 * already refused what it cannot frame (conflicting or malformed {@code Content-Length}, a {@code
 * Transfer-Encoding} not ending in chunked, bare LF, control characters, whitespace before a colon);
 * these are the checks on top:
 *
 * <ul>
 *   <li>HTTP/1.0 and HTTP/1.1 only: anything else is 505;
 *   <li>{@code CONNECT} is 501: this is a reverse proxy, not a tunnel;
 *   <li>HTTP/1.1 without {@code Host}, more than one {@code Host}, or a {@code Host} that is not
 *       {@code host[:port]}: 400;
 *   <li>the request target is a path ({@code /...}), {@code *} for {@code OPTIONS}, or an absolute
 *       {@code http(s)://} URL, which becomes a path with the URL's authority as {@code Host} (400
 *       when {@code Host} names another host); anything else is 400, and so is a target with a
 *       character outside visible ASCII or a {@code #};
 *   <li>{@code Transfer-Encoding} is one {@code chunked} on HTTP/1.1 (other codings: 501; on HTTP/1.0:
 *       400, since an HTTP/1.0 recipient would not read it).
 * </ul>
 *
 * A request that passes costs a scan of its target, a few comparisons and a header lookup or two;
 * nothing is allocated but an iterator over the {@code Host} values, unless the target is rewritten.
 */
final class RequestChecks {

  /** Why a request is refused: the proxy's own answer, after which the connection closes. */
  record Refusal(int status, String error, String detail) {}

  private static final boolean[] HOST_CHARS = new boolean[128];

  static {
    // reg-name and IPv4 (RFC 3986 section 3.2.2): unreserved, pct-encoded, sub-delims; ':' for a port.
    String allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,;=:";
    for (char c : allowed.toCharArray()) {
      HOST_CHARS[c] = true;
    }
  }

  private RequestChecks() {}

  /**
   * Checks {@code req} and rewrites an absolute-form target in place.
   *
   * @return null when the request may be forwarded, else why not
   */
  static @Nullable Refusal check(HttpRequest req) {
    HttpVersion v = req.protocolVersion();
    if (v.majorVersion() != 1 || v.minorVersion() > 1 || !"HTTP".equals(v.protocolName())) {
      return new Refusal(505, "version_not_supported", "this proxy speaks HTTP/1.1 and HTTP/1.0, not " + v.text());
    }
    boolean http11 = v.minorVersion() == 1;
    if (HttpMethod.CONNECT.equals(req.method())) {
      return new Refusal(501, "not_implemented", "CONNECT is not supported: this is a reverse proxy in front of one"
          + " service, not a tunnel");
    }
    HttpHeaders h = req.headers();
    Iterator<? extends CharSequence> hosts = h.valueCharSequenceIterator(HttpHeaderNames.HOST);
    CharSequence host = hosts.hasNext() ? hosts.next() : null;
    if (host == null) {
      if (http11) {
        return new Refusal(400, "bad_request", "an HTTP/1.1 request must have a Host header (RFC 9112 section 3.2)");
      }
    } else if (hosts.hasNext()) {
      return new Refusal(400, "bad_request", "more than one Host header (RFC 9112 section 3.2)");
    } else if (!validAuthority(host)) {
      return new Refusal(400, "bad_request", "Host must be host[:port], got '" + shown(host) + "'");
    }
    Refusal target = target(req, host);
    if (target != null) {
      return target;
    }
    if (h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return transferEncoding(h, http11);
    }
    return null;
  }

  private static @Nullable Refusal target(HttpRequest req, @Nullable CharSequence host) {
    String uri = req.uri();
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      // Visible ASCII only (RFC 9112 section 3.2): a raw byte above 0x7e would be re-encoded on the
      // way up and read as Latin-1 by one server and UTF-8 by the next; '#' never belongs in a target.
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        return new Refusal(400, "bad_request", "the request target may only have visible ASCII characters"
            + " (percent-encode the others) and no '#', got " + (c == '#' ? "'#'" : String.format("U+%04X", (int) c))
            + " at index " + i);
      }
    }
    if (!uri.isEmpty() && uri.charAt(0) == '/') {
      return null; // origin-form: the common case
    }
    if (uri.equals("*")) {
      return HttpMethod.OPTIONS.equals(req.method()) ? null
          : new Refusal(400, "bad_request", "the request target * is for OPTIONS only");
    }
    int authorityStart = uri.regionMatches(true, 0, "http://", 0, 7) ? 7
        : uri.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
    if (authorityStart < 0) {
      return new Refusal(400, "bad_request", "the request target must be a path (/...), an absolute http(s) URL,"
          + " or * for OPTIONS, got '" + shown(uri) + "'");
    }
    int end = authorityStart;
    while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
      end++;
    }
    String authority = uri.substring(authorityStart, end);
    if (authority.indexOf('@') >= 0) {
      return new Refusal(400, "bad_request", "the request target must not carry user info (user@host)");
    }
    if (!validAuthority(authority)) {
      return new Refusal(400, "bad_request", "the request target's host must be host[:port], got '"
          + shown(authority) + "'");
    }
    int defaultPort = authorityStart == 7 ? 80 : 443;
    if (host != null && !sameAuthority(authority, host.toString(), defaultPort)) {
      return new Refusal(400, "bad_request", "the request target names host '" + authority + "' but Host says '"
          + shown(host) + "'");
    }
    String rest = uri.substring(end);
    // RFC 9112 section 3.2.2: the target's authority is the Host the upstream must see.
    req.setUri(rest.isEmpty() || rest.charAt(0) == '?' ? "/" + rest : rest);
    req.headers().set(HttpHeaderNames.HOST, authority);
    return null;
  }

  private static @Nullable Refusal transferEncoding(HttpHeaders h, boolean http11) {
    if (!http11) {
      return new Refusal(400, "bad_request", "Transfer-Encoding in an HTTP/1.0 request: its framing is"
          + " ambiguous (RFC 9112 section 6.1)");
    }
    List<String> values = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (values.size() == 1 && values.get(0).trim().equalsIgnoreCase("chunked")) {
      return null;
    }
    return new Refusal(501, "not_implemented", "only Transfer-Encoding: chunked is supported, got '"
        + shown(String.join(", ", values)) + "'");
  }

  /**
   * {@code host[:port]}: a reg-name or IPv4 address, or an IPv6 literal in brackets, and a port of
   * digits; never empty, no spaces, slashes or user info.
   */
  static boolean validAuthority(CharSequence a) {
    int n = a.length();
    if (n == 0) {
      return false;
    }
    int i = 0;
    if (a.charAt(0) == '[') {
      while (++i < n && a.charAt(i) != ']') {
        char c = a.charAt(i);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.')) {
          return false;
        }
      }
      if (i >= n || i == 1) {
        return false;
      }
      i++; // past ']'
      if (i == n) {
        return true;
      }
      if (a.charAt(i) != ':') {
        return false;
      }
    } else {
      for (; i < n && a.charAt(i) != ':'; i++) {
        char c = a.charAt(i);
        if (c >= 128 || !HOST_CHARS[c]) {
          return false;
        }
      }
      if (i == 0) {
        return false; // ":80" names no host
      }
      if (i == n) {
        return true;
      }
    }
    // a.charAt(i) == ':': the port, digits only
    if (i + 1 == n || n - i - 1 > 5) {
      return false;
    }
    for (int j = i + 1; j < n; j++) {
      char c = a.charAt(j);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** Whether two valid authorities name the same host and port, a missing port being {@code defaultPort}. */
  static boolean sameAuthority(String a, String b, int defaultPort) {
    int pa = portStart(a);
    int pb = portStart(b);
    if (pa != pb || !a.regionMatches(true, 0, b, 0, pa)) {
      return false;
    }
    return port(a, pa, defaultPort) == port(b, pb, defaultPort);
  }

  /** Index of the ':' before the port, or the length when there is none. */
  private static int portStart(String a) {
    int close = a.startsWith("[") ? a.indexOf(']') : -1;
    int colon = a.indexOf(':', close + 1);
    return colon < 0 ? a.length() : colon;
  }

  private static int port(String a, int colon, int defaultPort) {
    return colon >= a.length() - 1 ? defaultPort : Integer.parseInt(a.substring(colon + 1));
  }

  /** A value for an error message: at most 100 characters, anything unprintable as '?'. */
  private static String shown(CharSequence s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 103));
    for (int i = 0; i < s.length() && i < 100; i++) {
      char c = s.charAt(i);
      b.append(c >= 32 && c < 127 ? c : '?');
    }
    return s.length() > 100 ? b.append("...").toString() : b.toString();
  }
}
