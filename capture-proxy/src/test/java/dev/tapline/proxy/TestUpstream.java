package dev.tapline.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;

/**
 * A real upstream on a random loopback port, for tests. {@code /download?size=N[&chunked=1]} sends
 * N deterministic bytes, {@code /upload} answers the length and SHA-256 of what it received, {@code
 * /gzip} answers a gzip-encoded JSON body, {@code /slow?ms=M} waits first; anything else echoes the
 * request as JSON ({@code server, method, path, query, headers, body}). On an echo, {@code status=N}
 * answers that status and {@code set=name:value} adds that response header; with {@code as=NAME}
 * both (and the wait of {@code /slow}) apply on the upstream of that name only.
 */
final class TestUpstream implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  final String name;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  final ConcurrentLinkedQueue<Map<String, Object>> received = new ConcurrentLinkedQueue<>();

  private TestUpstream(String name, int port) throws IOException {
    this.name = name;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  static TestUpstream start(String name) {
    return start(name, 0);
  }

  static TestUpstream start(String name, int port) {
    try {
      return new TestUpstream(name, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      Map<String, String> q = query(ex.getRequestURI().getRawQuery());
      if (ex.getRequestMethod().equals("HEAD")) {
        ex.getResponseHeaders().add("X-Upstream", name);
        ex.sendResponseHeaders(200, -1);
        return;
      }
      switch (path) {
        case "/download" -> download(ex, Long.parseLong(q.get("size")), q.containsKey("chunked"));
        case "/upload" -> upload(ex);
        case "/gzip" -> gzip(ex);
        default -> {
          if (path.equals("/slow") && mine(q)) {
            try {
              Thread.sleep(Long.parseLong(q.getOrDefault("ms", "1000")));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          echo(ex, q);
        }
      }
    }
  }

  private boolean mine(Map<String, String> q) {
    return !q.containsKey("as") || q.get("as").equals(name);
  }

  private void echo(HttpExchange ex, Map<String, String> q) throws IOException {
    boolean quiet = q.containsKey("quiet");
    byte[] body = ex.getRequestBody().readAllBytes();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("server", name);
    m.put("method", ex.getRequestMethod());
    m.put("path", ex.getRequestURI().getRawPath());
    m.put("query", ex.getRequestURI().getRawQuery());
    Map<String, List<String>> headers = new LinkedHashMap<>();
    ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), new ArrayList<>(v)));
    m.put("headers", headers);
    m.put("body", new String(body, StandardCharsets.UTF_8));
    received.add(m);
    byte[] out = JSON.writeValueAsBytes(quiet ? Map.of("server", name) : m);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.getResponseHeaders().add("X-Upstream", name);
    ex.getResponseHeaders().add("Set-Cookie", "session=upstream-secret");
    int status = 200;
    if (mine(q)) {
      String set = q.get("set");
      if (set != null) {
        String decoded = java.net.URLDecoder.decode(set, StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        ex.getResponseHeaders().add(decoded.substring(0, colon), decoded.substring(colon + 1));
      }
      status = Integer.parseInt(q.getOrDefault("status", "200"));
    }
    ex.sendResponseHeaders(status, out.length);
    ex.getResponseBody().write(out);
  }

  private void download(HttpExchange ex, long size, boolean chunked) throws IOException {
    ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
    MessageDigest sha = sha256();
    ex.sendResponseHeaders(200, chunked ? 0 : size);
    try (OutputStream out = ex.getResponseBody(); InputStream in = new PatternStream(size)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
        out.write(buf, 0, n);
      }
    }
  }

  private void upload(HttpExchange ex) throws IOException {
    MessageDigest sha = sha256();
    long total = 0;
    try (InputStream in = ex.getRequestBody()) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
        total += n;
      }
    }
    byte[] out = JSON.writeValueAsBytes(Map.of("server", name, "length", total,
        "sha256", HexFormat.of().formatHex(sha.digest())));
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(200, out.length);
    ex.getResponseBody().write(out);
  }

  private void gzip(HttpExchange ex) throws IOException {
    ex.getRequestBody().readAllBytes();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write("{\"compressed\":true,\"items\":[1,2,3]}".getBytes(StandardCharsets.UTF_8));
    }
    byte[] out = bytes.toByteArray();
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.getResponseHeaders().add("Content-Encoding", "gzip");
    ex.sendResponseHeaders(200, out.length);
    ex.getResponseBody().write(out);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHA-256 of the first {@code size} bytes of {@link PatternStream}. */
  static String patternSha(long size) {
    MessageDigest sha = sha256();
    try (InputStream in = new PatternStream(size)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> m = new LinkedHashMap<>();
    if (raw == null) {
      return m;
    }
    for (String p : raw.split("&")) {
      int eq = p.indexOf('=');
      m.put(eq < 0 ? p : p.substring(0, eq), eq < 0 ? "" : p.substring(eq + 1));
    }
    return m;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Deterministic, incompressible-looking bytes: a xorshift stream, no buffer held. */
  static final class PatternStream extends InputStream {
    private long remaining;
    private long state = 0x9E3779B97F4A7C15L;

    PatternStream(long size) {
      this.remaining = size;
    }

    @Override
    public int read() {
      byte[] b = new byte[1];
      return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (remaining <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, remaining);
      for (int i = 0; i < n; i++) {
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        b[off + i] = (byte) state;
      }
      remaining -= n;
      return n;
    }
  }
}
