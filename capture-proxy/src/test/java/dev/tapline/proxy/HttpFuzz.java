package dev.tapline.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A seeded generator of malformed HTTP/1.1, for requests and responses: request and status lines,
 * header names and values, {@code Content-Length} and {@code Transfer-Encoding} conflicts, chunk
 * sizes and extensions, bare LF and CR, NUL, folding, header floods, truncation, pipelining around
 * a bad message, and random byte edits of good ones. The same seed gives the same probes, so a
 * failure names the seed and the probe's index and replays exactly.
 */
final class HttpFuzz {

  /** One thing to send: a name saying how it was made, and its bytes. */
  record Probe(String name, byte[] bytes) {
    String printable() {
      StringBuilder b = new StringBuilder();
      for (byte x : bytes) {
        int c = x & 0xff;
        switch (c) {
          case '\r' -> b.append("\\r");
          case '\n' -> b.append("\\n");
          case '\t' -> b.append("\\t");
          default -> b.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
      }
      return b.length() > 600 ? b.substring(0, 600) + "...(" + bytes.length + " bytes)" : b.toString();
    }
  }

  static final String CRLF = "\r\n";
  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT",
      "TRACE", "get", "G ET", "GET\t", "", "PRI", "G@T", "GE\0T", "\u00c9T"};
  private static final String[] TARGETS = {"/", "/orders/1?x=1", "*", "http://shop.test/a", "http://other.test/a",
      "https://shop.test:443/b", "http://user@shop.test/", "shop.test:80", "/a b", "/%00", "/\u00ff", "//x/y", "", "/#frag",
      "http:///nohost", "/" + "a".repeat(9000), "/a\tb", "?q"};
  private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.0", "HTTP/9.9", "HTTP/1.2", "HTTP/2.0", "http/1.1",
      "HTTP/1", "HTTP/01.1", "HTTP/1.1 ", "", "HTTP/1.10", "HTTPS/1.1", "HTTP/0.9"};
  private static final String[] HOSTS = {"shop.test", "shop.test:80", "", " ", "shop.test/x", "a b", "[::1]", "[::1",
      "shop.test:", ":80", "user@shop.test", "shop.test:99999999", "sh\u00f6p.test", "127.0.0.1:8080"};
  private static final String[] LENGTHS = {"5", "05", "+5", "-1", "5, 5", "5 5", " 5 ", "99999999999999999999", "0x5",
      "", "4", "6", "0", "1e1"};
  private static final String[] CODINGS = {"chunked", "Chunked", " chunked", "chunked ", "xchunked", "chunked, identity",
      "identity, chunked", "chunked\u000b", "chunked;q=1", "gzip, chunked", "gzip", "chunked, chunked", "\"chunked\"",
      "chunk", ""};
  private static final String[] NAMES = {"Host ", " Host", "Ho st", "Host\0", "", "X\u0080", "Content_Length",
      "Transfer-Encoding ", "Transfer-Encoding\t", "X-A:B", "[x]", "X-\u00e9", "Content-Length\u000b"};
  private static final String[] VALUES = {"a\rb", "a\nb", "a\0b", "a\u000bb", "a\u007fb", "\u00ff\u00fe", "a" + CRLF + " b",
      "a" + CRLF + "\tb", " lead", "trail ", "\"quoted\"", "a" + CRLF + " Transfer-Encoding: chunked"};
  private static final String[] CHUNK_SIZES = {"5", "05", "-5", "0x5", "fffffffffffffffff", "5 ", " 5", "5;ext", "5;ext=v",
      "5;ext=\"q d\"", "5;", "5\t", "", "6", "4", "5;e\0", "+5", "5 ;x"};
  private static final byte[] EDIT_BYTES = {0, '\r', '\n', ' ', '\t', ':', ',', ';', '"', 0x0b, 0x7f, (byte) 0x80,
      (byte) 0xff, '0', 'a', '/'};

  private final Random random;

  HttpFuzz(long seed) {
    this.random = new Random(seed);
  }

  private <T> T pick(T[] options) {
    return options[random.nextInt(options.length)];
  }

  /** A well-formed request, alone: what every bad probe is made from. */
  String valid() {
    String host = "Host: shop.test" + CRLF;
    return switch (random.nextInt(4)) {
      case 0 -> "GET /orders/" + random.nextInt(100) + " HTTP/1.1" + CRLF + host + "Accept: */*" + CRLF + CRLF;
      case 1 -> "POST /orders HTTP/1.1" + CRLF + host + "Content-Type: application/json" + CRLF
          + "Content-Length: 13" + CRLF + CRLF + "{\"sku\":\"A-1\"}";
      case 2 -> "PUT /orders/7 HTTP/1.1" + CRLF + host + "Transfer-Encoding: chunked" + CRLF + CRLF
          + "5" + CRLF + "hello" + CRLF + "6;ext=1" + CRLF + " world" + CRLF + "0" + CRLF + CRLF;
      default -> "GET /old HTTP/1.0" + CRLF + "Connection: keep-alive" + CRLF + CRLF;
    };
  }

  Probe next(int index) {
    List<Supplier<String>> kinds = List.of(this::requestLine, this::headerName, this::headerValue, this::framing,
        this::chunks, this::lineEndings, this::flood, this::host, this::edit, this::truncate, this::valid);
    int kind = random.nextInt(kinds.size());
    String body = kinds.get(kind).get();
    String name = "#" + index + " " + KIND_NAMES[kind];
    // Sometimes between good requests: what comes after a bad one must never reach the upstream.
    if (random.nextInt(4) == 0) {
      body = valid() + body;
      name += " after a good request";
    }
    if (random.nextInt(4) == 0) {
      body = body + valid();
      name += " before a good request";
    }
    return new Probe(name, body.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static final String[] KIND_NAMES = {"request line", "header name", "header value", "framing conflict",
      "chunks", "line endings", "header flood", "host", "byte edits", "truncated", "valid"};

  private String requestLine() {
    String sep = random.nextInt(6) == 0 ? pick(new String[] {"  ", "\t", " \t"}) : " ";
    return pick(METHODS) + sep + pick(TARGETS) + " " + pick(VERSIONS) + CRLF + "Host: shop.test" + CRLF + CRLF;
  }

  private String headerName() {
    return "GET / HTTP/1.1" + CRLF + "Host: shop.test" + CRLF + pick(NAMES) + ": v" + CRLF + CRLF;
  }

  private String headerValue() {
    String name = pick(new String[] {"X-Custom", "Host", "Content-Length", "Transfer-Encoding", "Connection"});
    return "POST /v HTTP/1.1" + CRLF + (name.equals("Host") ? "" : "Host: shop.test" + CRLF) + name + ": " + pick(VALUES)
        + CRLF + "Content-Length: 0" + CRLF + CRLF;
  }

  private String framing() {
    StringBuilder h = new StringBuilder("POST /f HTTP/1.").append(random.nextInt(3) == 0 ? "0" : "1").append(CRLF)
        .append("Host: shop.test").append(CRLF);
    int fields = 1 + random.nextInt(3);
    for (int i = 0; i < fields; i++) {
      if (random.nextBoolean()) {
        h.append(pick(new String[] {"Content-Length", "content-length", "CONTENT-LENGTH"})).append(": ").append(pick(LENGTHS));
      } else {
        h.append(pick(new String[] {"Transfer-Encoding", "transfer-encoding"})).append(": ").append(pick(CODINGS));
      }
      h.append(CRLF);
    }
    h.append(CRLF);
    // A body that is five bytes, one chunked message, or both: each reading frames it differently.
    h.append(pick(new String[] {"hello", "0" + CRLF + CRLF, "5" + CRLF + "hello" + CRLF + "0" + CRLF + CRLF,
        "0" + CRLF + CRLF + "GET /smuggled HTTP/1.1" + CRLF + "Host: shop.test" + CRLF + CRLF, ""}));
    return h.toString();
  }

  private String chunks() {
    StringBuilder b = new StringBuilder("POST /c HTTP/1.1" + CRLF + "Host: shop.test" + CRLF + "Transfer-Encoding: chunked"
        + CRLF + CRLF);
    b.append(pick(CHUNK_SIZES)).append(pick(new String[] {CRLF, CRLF, "\n", "\r"})).append("hello");
    b.append(pick(new String[] {CRLF, CRLF, "", "XX", "\n", CRLF + CRLF}));
    b.append(pick(new String[] {"0", "00", "0;x", "1", "-0"})).append(CRLF);
    b.append(pick(new String[] {"", "X-Trailer: t" + CRLF, "Content-Length: 5" + CRLF, "Host: evil" + CRLF,
        "Transfer-Encoding: chunked" + CRLF, "bad trailer" + CRLF}));
    b.append(CRLF);
    return b.toString();
  }

  private String lineEndings() {
    String good = valid();
    return switch (random.nextInt(3)) {
      case 0 -> good.replace(CRLF, "\n");
      case 1 -> replaceOne(good, CRLF, pick(new String[] {"\n", "\r", "\r\r\n", "\n\r"}));
      default -> pick(new String[] {CRLF + CRLF, "\n\n", " " + CRLF}) + good;
    };
  }

  private String flood() {
    StringBuilder b = new StringBuilder("GET /flood HTTP/1.1" + CRLF + "Host: shop.test" + CRLF);
    if (random.nextBoolean()) {
      int n = 100 + random.nextInt(2500);
      for (int i = 0; i < n; i++) {
        b.append("X-").append(i).append(": ").append(i).append(CRLF);
      }
    } else {
      b.append("X-Big: ").append("b".repeat(8_000 + random.nextInt(12_000))).append(CRLF);
    }
    return b.append(CRLF).toString();
  }

  private String host() {
    StringBuilder b = new StringBuilder("GET /h HTTP/1.").append(random.nextInt(4) == 0 ? "0" : "1").append(CRLF);
    int n = random.nextInt(3);
    for (int i = 0; i < n; i++) {
      b.append(pick(new String[] {"Host", "host", "HOST"})).append(": ").append(pick(HOSTS)).append(CRLF);
    }
    if (random.nextBoolean()) {
      b.append("Connection: ").append(pick(new String[] {"Host", "close, Host", "Content-Length", "Transfer-Encoding",
          "keep-alive, X-Forwarded-For", "Upgrade"})).append(CRLF);
    }
    return b.append(CRLF).toString();
  }

  private String edit() {
    byte[] good = valid().getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Byte> bytes = new ArrayList<>();
    for (byte x : good) {
      bytes.add(x);
    }
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits && !bytes.isEmpty(); e++) {
      int at = random.nextInt(bytes.size());
      switch (random.nextInt(3)) {
        case 0 -> bytes.set(at, EDIT_BYTES[random.nextInt(EDIT_BYTES.length)]);
        case 1 -> bytes.add(at, EDIT_BYTES[random.nextInt(EDIT_BYTES.length)]);
        default -> bytes.remove(at);
      }
    }
    bytes.forEach(out::write);
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private String truncate() {
    String good = valid();
    return good.substring(0, 1 + random.nextInt(good.length() - 1));
  }

  private static String replaceOne(String s, String what, String with) {
    int i = s.indexOf(what);
    return i < 0 ? s : s.substring(0, i) + with + s.substring(i + what.length());
  }

  // ---- responses, for an upstream that answers badly ----

  /** A good response, alone. */
  String validResponse() {
    return switch (random.nextInt(3)) {
      case 0 -> "HTTP/1.1 200 OK" + CRLF + "Content-Type: application/json" + CRLF + "Content-Length: 11" + CRLF + CRLF
          + "{\"ok\":true}";
      case 1 -> "HTTP/1.1 201 Created" + CRLF + "Transfer-Encoding: chunked" + CRLF + CRLF + "5" + CRLF + "hello" + CRLF
          + "0" + CRLF + CRLF;
      default -> "HTTP/1.1 204 No Content" + CRLF + CRLF;
    };
  }

  /** A response an upstream might send, mostly malformed; the proxy must never pass it on ambiguously. */
  Probe nextResponse(int index) {
    String r;
    String kind;
    switch (random.nextInt(10)) {
      case 0 -> {
        kind = "status line";
        r = pick(new String[] {"HTTP/1.1 2000 OK", "HTTP/9.9 200 OK", "ICY 200 OK", "HTTP/1.1 200", "HTTP/1.1  200 OK",
            "HTTP/1.1 099 Low", "HTTP/1.1 600 High", "HTTP/1.1 abc OK", "200 OK", "HTTP/1.1 200 O\0K"})
            + CRLF + "Content-Length: 2" + CRLF + CRLF + "ok";
      }
      case 1 -> {
        kind = "framing conflict";
        StringBuilder b = new StringBuilder("HTTP/1.1 200 OK" + CRLF);
        int fields = 1 + random.nextInt(3);
        for (int i = 0; i < fields; i++) {
          b.append(random.nextBoolean() ? "Content-Length: " + pick(LENGTHS) : "Transfer-Encoding: " + pick(CODINGS)).append(CRLF);
        }
        r = b.append(CRLF).append(pick(new String[] {"hello", "5" + CRLF + "hello" + CRLF + "0" + CRLF + CRLF,
            "0" + CRLF + CRLF + "HTTP/1.1 200 OK" + CRLF + "Content-Length: 8" + CRLF + CRLF + "smuggled"})).toString();
      }
      case 2 -> {
        kind = "chunks";
        r = "HTTP/1.1 200 OK" + CRLF + "Transfer-Encoding: chunked" + CRLF + CRLF + pick(CHUNK_SIZES)
            + pick(new String[] {CRLF, "\n"}) + "hello" + pick(new String[] {CRLF, "", "XX"}) + "0" + CRLF + CRLF;
      }
      case 3 -> {
        kind = "header value";
        r = "HTTP/1.1 200 OK" + CRLF + pick(new String[] {"X-A", "Content-Type", "Connection", "Content-Length"}) + ": "
            + pick(VALUES) + CRLF + "Content-Length: 2" + CRLF + CRLF + "ok";
      }
      case 4 -> {
        kind = "header name";
        r = "HTTP/1.1 200 OK" + CRLF + pick(NAMES) + ": v" + CRLF + "Content-Length: 2" + CRLF + CRLF + "ok";
      }
      case 5 -> {
        kind = "truncated";
        String good = validResponse();
        r = good.substring(0, 1 + random.nextInt(good.length() - 1));
      }
      case 6 -> {
        kind = "interim and no-body statuses";
        r = pick(new String[] {"HTTP/1.1 100 Continue" + CRLF + CRLF + validResponse(),
            "HTTP/1.1 103 Early Hints" + CRLF + "Link: </a>" + CRLF + CRLF + validResponse(),
            "HTTP/1.1 204 No Content" + CRLF + "Content-Length: 5" + CRLF + CRLF + "hello",
            "HTTP/1.1 304 Not Modified" + CRLF + "Transfer-Encoding: chunked" + CRLF + CRLF + "0" + CRLF + CRLF,
            "HTTP/1.1 200 OK" + CRLF + CRLF + "until close"});
      }
      case 7 -> {
        kind = "line endings";
        r = random.nextBoolean() ? validResponse().replace(CRLF, "\n") : replaceOne(validResponse(), CRLF, "\r");
      }
      case 8 -> {
        kind = "byte edits";
        StringBuilder b = new StringBuilder(validResponse());
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
          int at = random.nextInt(b.length());
          char c = (char) (EDIT_BYTES[random.nextInt(EDIT_BYTES.length)] & 0xff);
          if (random.nextBoolean()) {
            b.setCharAt(at, c);
          } else {
            b.insert(at, c);
          }
        }
        r = b.toString();
      }
      default -> {
        kind = "extra bytes after the response";
        r = validResponse() + pick(new String[] {"garbage", "HTTP/1.1 200 OK" + CRLF + "Content-Length: 0" + CRLF + CRLF});
      }
    }
    return new Probe("#" + index + " " + kind, r.getBytes(StandardCharsets.ISO_8859_1));
  }
}
