package dev.tapline.replay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.RoutingKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A tiny routing reverse proxy that remembers the raw headers of every request, so tests can check
 * what replay sends on each side (routing key, baggage, credentials). The real {@code CaptureProxy}
 * is used for the routing itself in {@link ReplayEndToEndTest}; it redacts what it captures, which is
 * why header values are checked here. A request with a known routing key goes to that sandbox,
 * anything else to the baseline.
 */
final class RoutingProxy implements AutoCloseable {
  private static final Set<String> SKIP = Set.of("host", "connection", "content-length", "upgrade", "expect", "transfer-encoding");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI baseline;
  private final Map<String, URI> sandboxes = new ConcurrentHashMap<>();
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  /** One proxied request: its routing key (or null) and all its headers, names lower-cased. */
  record Seen(String method, String path, String routingKey, Map<String, List<String>> headers) {}

  RoutingProxy(URI baseline, Map<String, URI> sandboxes) throws IOException {
    this.baseline = baseline;
    this.sandboxes.putAll(sandboxes);
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      com.sun.net.httpserver.Headers in = ex.getRequestHeaders();
      String key = RoutingKeys.defaults().extract(name -> {
        List<String> v = in.get(name);
        return v == null ? List.of() : v;
      });
      Map<String, List<String>> copy = new java.util.TreeMap<>();
      in.forEach((k, v) -> copy.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
      seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), key, copy));
      URI upstream = key != null && sandboxes.containsKey(key) ? sandboxes.get(key) : baseline;
      byte[] body;
      try (InputStream is = ex.getRequestBody()) {
        body = is.readAllBytes();
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI().toString()))
          .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      in.forEach((k, vs) -> {
        if (!SKIP.contains(k.toLowerCase(Locale.ROOT))) {
          vs.forEach(v -> b.header(k, v));
        }
      });
      HttpResponse<byte[]> resp;
      try {
        resp = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ex.sendResponseHeaders(502, -1);
        return;
      } catch (IOException e) {
        ex.sendResponseHeaders(502, -1);
        return;
      }
      resp.headers().map().forEach((k, vs) -> {
        if (!SKIP.contains(k.toLowerCase(Locale.ROOT)) && !k.startsWith(":")) {
          vs.forEach(v -> ex.getResponseHeaders().add(k, v));
        }
      });
      byte[] out = resp.body();
      boolean head = ex.getRequestMethod().equals("HEAD");
      ex.sendResponseHeaders(resp.statusCode(), head || out.length == 0 ? -1 : out.length);
      if (!head && out.length > 0) {
        try (OutputStream os = ex.getResponseBody()) {
          os.write(out);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
