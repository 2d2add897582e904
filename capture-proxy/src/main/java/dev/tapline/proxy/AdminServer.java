package dev.tapline.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.http.ErrorCode;
import dev.tapline.core.http.HttpEdge;
import dev.tapline.core.http.HttpResponses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * The admin port: {@code GET /healthz}, {@code GET /metrics} (Prometheus text, when the proxy's meter
 * registry is a Prometheus one), {@code GET /routes}, {@code GET|PUT|DELETE /routes/{key}} ({@code
 * PUT} with a {@link RouteSpec} as JSON: {@code {"upstream"?, "override"?, "exceptStatus"?,
 * "rules"?}}). A plain JDK server on its own thread: admin calls never touch the forwarding event
 * loops.
 *
 * <p>Core's {@link HttpEdge} stands in front of every path: the {@code Host} check (a loopback-bound
 * admin port answers 421 to a {@code Host} that does not name it, so a web page cannot reach it by
 * rebinding its DNS name) everywhere, and the token ({@link ProxyConfig#adminToken()}) on
 * everything but {@code /healthz}. Whoever can change a route receives the requests that carry its
 * key, so {@code /routes} is what the token guards.
 */
final class AdminServer {
  // Room for mock bodies in the rules.
  private static final int MAX_BODY = 256 * 1024;

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

  static AdminServer start(ProxyConfig config, RouteTable routes, ProxyMetrics metrics) throws IOException {
    String host = java.util.Objects.requireNonNull(config.adminHost(), "adminHost");
    HttpServer server = HttpEdge.createServer(new InetSocketAddress(host, config.adminPort()), 64);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tapline-proxy-admin");
      t.setDaemon(true);
      return t;
    });
    AdminServer admin = new AdminServer(server, executor, routes, metrics);
    HttpEdge edge = HttpEdge.token(config.adminToken()).allowHosts(config.adminAllowedHosts());
    server.createContext("/healthz", HttpEdge.guarded(admin::health)).getFilters().add(edge.open());
    server.createContext("/", HttpEdge.guarded(admin::handle)).getFilters().add(edge.gate());
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

  private void health(HttpExchange ex) throws IOException {
    if (!ex.getRequestURI().getRawPath().equals("/healthz")) {
      HttpResponses.notFound(ex);
    } else if (HttpResponses.requireGet(ex)) {
      // 200 for "degraded" too: the proxy forwards every request either way, and a load balancer
      // that took it out of rotation would turn a capture outage into an outage (CaptureHealth).
      HttpResponses.json(ex, 200, metrics.health().json());
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    if (path.equals("/metrics")) {
      if (!HttpResponses.requireGet(ex)) {
        return;
      }
      if (!metrics.scrapeable()) {
        HttpResponses.error(ex, 404, ErrorCode.NOT_FOUND, "this proxy's meters are not on a Prometheus registry: read"
            + " them where the registry it was given is published");
        return;
      }
      HttpResponses.raw(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
          metrics.scrape().getBytes(StandardCharsets.UTF_8));
    } else if (path.equals("/routes") || path.equals("/routes/")) {
      if (HttpResponses.requireGet(ex)) {
        HttpResponses.json(ex, 200, routesJson());
      }
    } else if (path.startsWith("/routes/")) {
      String key = routeKey(ex, path.substring("/routes/".length()));
      if (key != null) {
        route(ex, key);
      }
    } else {
      HttpResponses.error(ex, 404, ErrorCode.NOT_FOUND, "no such admin endpoint: " + path
          + " (try /healthz, /metrics, /routes)");
    }
  }

  /** The decoded, valid routing key of {@code /routes/{key}}, or null after answering 400. */
  private static @Nullable String routeKey(HttpExchange ex, String raw) throws IOException {
    String key;
    try {
      // Percent-decoding only: a '+' in a path is a plus, not a space.
      key = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      HttpResponses.error(ex, 400, ErrorCode.BAD_REQUEST, "routing key in the path is not percent-encoded"
          + " properly: " + e.getMessage());
      return null;
    }
    try {
      return RouteTable.validKey(key);
    } catch (IllegalArgumentException e) {
      HttpResponses.error(ex, 400, ErrorCode.BAD_REQUEST, e.getMessage() + " (in /routes/{key})");
      return null;
    }
  }

  private void route(HttpExchange ex, String key) throws IOException {
    switch (ex.getRequestMethod()) {
      case "GET" -> {
        RouteSpec r = routes.get(key);
        if (r == null) {
          HttpResponses.error(ex, 404, ErrorCode.NOT_FOUND, "no route for routing key \"" + key + "\"");
        } else {
          HttpResponses.json(ex, 200, route(key, r));
        }
      }
      case "PUT" -> put(ex, key);
      case "DELETE" -> {
        if (routes.remove(key) == null) {
          HttpResponses.error(ex, 404, ErrorCode.NOT_FOUND, "no route for routing key \"" + key + "\"");
        } else {
          ex.sendResponseHeaders(204, -1);
        }
      }
      default -> HttpResponses.methodNotAllowed(ex, "GET, PUT, DELETE");
    }
  }

  private void put(HttpExchange ex, String key) throws IOException {
    byte[] body = HttpResponses.body(ex, MAX_BODY);
    if (body == null) {
      HttpResponses.error(ex, 413, ErrorCode.PAYLOAD_TOO_LARGE, "route body over " + MAX_BODY + " bytes");
      return;
    }
    JsonNode node;
    try {
      node = HttpResponses.JSON.readTree(body);
    } catch (JsonProcessingException e) {
      HttpResponses.error(ex, 400, ErrorCode.BAD_REQUEST, "body must be JSON like {\"upstream\": \"http://host:port\"}: "
          + e.getOriginalMessage());
      return;
    }
    RouteSpec spec;
    try {
      spec = RouteSpec.fromJson(node);
    } catch (IllegalArgumentException e) {
      HttpResponses.error(ex, 400, ErrorCode.BAD_REQUEST, String.valueOf(e.getMessage()));
      return;
    }
    try {
      RouteSpec old = routes.put(key, spec);
      HttpResponses.json(ex, old == null ? 201 : 200, route(key, spec));
    } catch (RouteTable.FullException e) {
      HttpResponses.error(ex, 409, ErrorCode.CONFLICT, e.getMessage(), "maxRoutes", routes.maxRoutes());
    } catch (IllegalArgumentException e) {
      HttpResponses.error(ex, 400, ErrorCode.BAD_REQUEST, String.valueOf(e.getMessage()));
    }
  }

  private static Map<String, Object> route(String key, RouteSpec spec) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", key);
    m.putAll(spec.toJson());
    return m;
  }

  private Map<String, Object> routesJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    routes.snapshot().forEach((k, v) -> out.put(k, v.toJson()));
    return out;
  }
}
