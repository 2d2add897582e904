package dev.tapline.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.http.HttpEdge;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The admin port: {@code GET /healthz}, {@code GET /metrics} (Prometheus text, when the proxy's meter
 * registry is a Prometheus one), {@code GET /routes},
 * {@code PUT /routes/{key}} with {@code {"upstream": "http://host:port"}}, {@code DELETE /routes/{key}}.
 * A plain JDK server on its own thread: admin calls never touch the forwarding event loops.
 */
final class AdminServer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 64 * 1024;

  private final HttpServer server;
  private final ExecutorService executor;
  private final RouteTable routes;
  private final ProxyMetrics metrics;

  private AdminServer(HttpServer server, ExecutorService executor, RouteTable routes, ProxyMetrics metrics) {
    this.server = server;
    this.executor = executor;
    this.routes = routes;
    this.metrics = metrics;
  }

  static AdminServer start(String host, int port, RouteTable routes, ProxyMetrics metrics) throws IOException {
    HttpServer server = HttpEdge.createServer(new InetSocketAddress(host, port), 64);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tapline-proxy-admin");
      t.setDaemon(true);
      return t;
    });
    AdminServer admin = new AdminServer(server, executor, routes, metrics);
    server.createContext("/", admin::handle);
    server.setExecutor(executor);
    server.start();
    return admin;
  }

  int port() {
    return server.getAddress().getPort();
  }

  void stop() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String method = ex.getRequestMethod();
      if (path.equals("/healthz")) {
        if (allow(ex, method, "GET")) {
          send(ex, 200, Map.of("status", "ok"));
        }
      } else if (path.equals("/metrics")) {
        if (!allow(ex, method, "GET")) {
          return;
        }
        if (!metrics.scrapeable()) {
          error(ex, 404, "not_found", "this proxy's meters are not on a Prometheus registry: read them where the"
              + " registry it was given is published");
          return;
        }
        byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      } else if (path.equals("/routes") || path.equals("/routes/")) {
        if (allow(ex, method, "GET")) {
          send(ex, 200, routesJson());
        }
      } else if (path.startsWith("/routes/")) {
        String key = URLDecoder.decode(path.substring("/routes/".length()), StandardCharsets.UTF_8);
        switch (method) {
          case "GET" -> {
            URI u = routes.get(key);
            if (u == null) {
              error(ex, 404, "not_found", "no route for routing key \"" + key + "\"");
            } else {
              send(ex, 200, route(key, u.toString()));
            }
          }
          case "PUT" -> put(ex, key);
          case "DELETE" -> {
            URI old = routes.remove(key);
            if (old == null) {
              error(ex, 404, "not_found", "no route for routing key \"" + key + "\"");
            } else {
              ex.sendResponseHeaders(204, -1);
            }
          }
          default -> {
            ex.getResponseHeaders().set("Allow", "GET, PUT, DELETE");
            error(ex, 405, "method_not_allowed", method + " is not supported on /routes/{key}");
          }
        }
      } else {
        error(ex, 404, "not_found", "no such admin endpoint: " + path + " (try /healthz, /metrics, /routes)");
      }
    } catch (RuntimeException e) {
      error(ex, 500, "internal", e.toString());
    }
  }

  private void put(HttpExchange ex, String key) throws IOException {
    if (key.isBlank()) {
      error(ex, 400, "bad_request", "routing key in the path must not be empty: PUT /routes/{key}");
      return;
    }
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    if (body.length > MAX_BODY) {
      error(ex, 413, "too_large", "route body over " + MAX_BODY + " bytes");
      return;
    }
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      error(ex, 400, "bad_request", "body must be JSON like {\"upstream\": \"http://host:port\"}: " + e.getOriginalMessage());
      return;
    }
    JsonNode up = node == null ? null : node.get("upstream");
    if (up == null || !up.isTextual() || up.asText().isBlank()) {
      error(ex, 400, "bad_request", "body must have a string field \"upstream\", e.g. {\"upstream\": \"http://127.0.0.1:8082\"}");
      return;
    }
    URI uri;
    try {
      uri = new URI(up.asText().trim());
    } catch (java.net.URISyntaxException e) {
      error(ex, 400, "bad_request", "upstream is not a URL: " + e.getMessage());
      return;
    }
    try {
      URI old = routes.put(key, uri);
      send(ex, old == null ? 201 : 200, route(key, String.valueOf(routes.get(key))));
    } catch (IllegalArgumentException e) {
      error(ex, 400, "bad_request", e.getMessage());
    }
  }

  private static Map<String, String> route(String key, String upstream) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("key", key);
    m.put("upstream", upstream);
    return m;
  }

  private Map<String, String> routesJson() {
    Map<String, String> out = new LinkedHashMap<>();
    routes.snapshot().forEach((k, v) -> out.put(k, v.toString()));
    return out;
  }

  private static boolean allow(HttpExchange ex, String method, String allowed) throws IOException {
    if (method.equals(allowed)) {
      return true;
    }
    ex.getResponseHeaders().set("Allow", allowed);
    error(ex, 405, "method_not_allowed", method + " is not supported here; use " + allowed);
    return false;
  }

  private static void error(HttpExchange ex, int status, String error, String detail) throws IOException {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("detail", detail);
    send(ex, status, body);
  }

  private static void send(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
