package dev.tapline.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An upstream that reads requests by RFC 9112's rules alone, on raw sockets, and records every
 * request that is not exactly one well-formed HTTP/1.1 message as a {@link #violations violation}:
 * a bare LF, a control character, folding, whitespace before a colon, more or fewer than one
 * {@code Host}, two {@code Content-Length}s, {@code Content-Length} with {@code Transfer-Encoding},
 * a coding other than chunked, a bad chunk. What a lenient server would read one way and another
 * server another. A well-formed request is {@link #received} and answered 200 with JSON naming it,
 * {@code X-Strict-Upstream: 1} and its method in {@code X-Strict-Method}. A connection that ends mid-request is {@link #incomplete}, not
 * a violation: the proxy gave up on that request.
 */
final class StrictUpstream implements AutoCloseable {
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern FIELD_VALUE = Pattern.compile("[\\x21-\\x7e\\x80-\\xff]([\\x20-\\x7e\\t\\x80-\\xff]*[\\x21-\\x7e\\x80-\\xff])?|");
  private static final Pattern TARGET = Pattern.compile("/[\\x21-\\x7e&&[^#]]*|\\*");

  /** A well-formed request as the upstream read it. */
  record Received(String method, String target, List<Map.Entry<String, String>> headers, byte[] body) {
    String header(String name) {
      return headers.stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
          .findFirst().orElse(null);
    }
  }

  final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
  final AtomicInteger incomplete = new AtomicInteger();
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  private StrictUpstream() throws IOException {
    server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  static StrictUpstream start() {
    try {
      return new StrictUpstream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        threads.execute(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) {
        Received r;
        try {
          r = readRequest(in);
        } catch (Violation v) {
          violations.add(v.getMessage());
          return;
        } catch (EOFException e) {
          incomplete.incrementAndGet();
          return;
        }
        if (r == null) {
          return; // closed between requests
        }
        received.add(r);
        byte[] body = TestUpstream.JSON.writeValueAsBytes(Map.of("method", r.method(), "target", r.target(),
            "host", r.header("host"), "bodyLength", r.body().length));
        boolean head = r.method().equals("HEAD");
        // X-Strict-Method tells RawHttp.readStrict that a HEAD response has no body.
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Strict-Upstream: 1\r\nX-Strict-Method: "
            + r.method() + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
          out.write(body);
        }
        out.flush();
      }
    } catch (IOException e) {
      // the proxy closed the connection
    }
  }

  private static final class Violation extends IOException {
    private static final long serialVersionUID = 1L;

    Violation(String message) {
      super(message);
    }
  }

  private static Received readRequest(InputStream in) throws IOException {
    String requestLine = line(in, true);
    if (requestLine == null) {
      return null;
    }
    String[] parts = requestLine.split(" ", -1);
    if (parts.length != 3 || !TOKEN.matcher(parts[0]).matches() || !TARGET.matcher(parts[1]).matches()
        || !parts[2].equals("HTTP/1.1")) {
      throw new Violation("bad request line: " + requestLine);
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String l;
    while (!(l = line(in, false)).isEmpty()) {
      if (l.charAt(0) == ' ' || l.charAt(0) == '\t') {
        throw new Violation("obs-fold: " + l);
      }
      int colon = l.indexOf(':');
      if (colon <= 0 || !TOKEN.matcher(l.substring(0, colon)).matches()) {
        throw new Violation("bad header line: " + l);
      }
      String value = l.substring(colon + 1).strip();
      if (!FIELD_VALUE.matcher(value).matches()) {
        throw new Violation("bad header value: " + l);
      }
      headers.add(Map.entry(l.substring(0, colon), value));
    }
    List<String> hosts = values(headers, "host");
    List<String> lengths = values(headers, "content-length");
    List<String> codings = values(headers, "transfer-encoding");
    if (hosts.size() != 1 || hosts.get(0).isEmpty()) {
      throw new Violation("Host fields: " + hosts);
    }
    if (lengths.size() > 1 || (!lengths.isEmpty() && !codings.isEmpty())) {
      throw new Violation("framing: content-length " + lengths + ", transfer-encoding " + codings);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (!codings.isEmpty()) {
      if (codings.size() != 1 || !codings.get(0).equalsIgnoreCase("chunked")) {
        throw new Violation("transfer-encoding " + codings);
      }
      chunked(in, body);
    } else if (!lengths.isEmpty()) {
      if (!lengths.get(0).matches("[0-9]{1,18}")) {
        throw new Violation("content-length " + lengths.get(0));
      }
      long n = Long.parseLong(lengths.get(0));
      byte[] b = in.readNBytes((int) Math.min(n, 64 << 20));
      if (b.length < n) {
        throw new EOFException("closed mid-body");
      }
      body.write(b);
    }
    return new Received(parts[0], parts[1], headers, body.toByteArray());
  }

  private static void chunked(InputStream in, ByteArrayOutputStream body) throws IOException {
    while (true) {
      String sizeLine = line(in, false);
      if (!sizeLine.matches("[0-9a-fA-F]{1,8}(;[!#$%&'*+.^_`|~0-9A-Za-z-]+(=[!#$%&'*+.^_`|~0-9A-Za-z-]+)?)*")) {
        throw new Violation("chunk size line: " + sizeLine);
      }
      int size = Integer.parseInt(sizeLine.split(";")[0], 16);
      if (size == 0) {
        String t;
        while (!(t = line(in, false)).isEmpty()) {
          int colon = t.indexOf(':');
          if (colon <= 0 || !TOKEN.matcher(t.substring(0, colon)).matches()) {
            throw new Violation("bad trailer: " + t);
          }
        }
        return;
      }
      byte[] chunk = in.readNBytes(size);
      if (chunk.length < size) {
        throw new EOFException("closed mid-chunk");
      }
      body.write(chunk);
      if (!line(in, false).isEmpty()) {
        throw new Violation("chunk data not followed by CRLF");
      }
    }
  }

  private static List<String> values(List<Map.Entry<String, String>> headers, String name) {
    return headers.stream().filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(name)).map(Map.Entry::getValue)
        .toList();
  }

  /** A CRLF line; a bare CR or LF, or NUL, is a violation. Null at a clean end between requests. */
  private static String line(InputStream in, boolean mayEnd) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\r') {
        int next = in.read();
        if (next < 0) {
          throw new EOFException("closed mid-line");
        }
        if (next != '\n') {
          throw new Violation("CR without LF after: " + b.toString(StandardCharsets.ISO_8859_1));
        }
        return b.toString(StandardCharsets.ISO_8859_1);
      }
      if (c == '\n' || c == 0) {
        throw new Violation((c == 0 ? "NUL" : "bare LF") + " after: " + b.toString(StandardCharsets.ISO_8859_1));
      }
      b.write(c);
      if (b.size() > 128 * 1024) {
        throw new Violation("line over 128 KiB");
      }
    }
    if (b.size() == 0 && mayEnd) {
      return null;
    }
    throw new EOFException("closed mid-line");
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    threads.shutdownNow();
  }
}
