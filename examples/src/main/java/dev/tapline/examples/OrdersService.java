package dev.tapline.examples;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * A small but realistic orders API, in two versions. The server generates ids and timestamps, keeps
 * its data in memory, and answers errors as JSON.
 *
 * <pre>{@code
 * try (OrdersService baseline = OrdersService.start(OrdersService.Version.V1, 0)) {
 *   URI uri = baseline.baseUri();   // http://127.0.0.1:PORT
 * }
 * }</pre>
 *
 * <p>Endpoints: {@code POST /orders}, {@code GET /orders/{id}}, {@code GET /orders?page=&size=},
 * {@code PATCH /orders/{id}}, {@code DELETE /orders/{id}}, {@code GET /healthz}.
 *
 * <p>{@link Version#V2} changes the response contract the way a real refactoring might: {@code
 * customer} is renamed {@code customerName}, {@code total} becomes a string, and {@code currency}
 * is added. It still accepts either name in requests.
 */
public final class OrdersService implements AutoCloseable {
  /** V1 is the baseline; V2 is the sandbox build with a contract change. */
  public enum Version {
    V1,
    V2
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> STATUSES = Set.of("NEW", "PAID", "SHIPPED", "CANCELLED");
  private static final int MAX_BODY = 1 << 20;

  private final Version version;
  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, ObjectNode> orders = new ConcurrentHashMap<>();

  private OrdersService(Version version, HttpServer server, ExecutorService executor) {
    this.version = version;
    this.server = server;
    this.executor = executor;
  }

  public static OrdersService start(Version version, int port) {
    return start(version, "127.0.0.1", port);
  }

  public static OrdersService start(Version version, String host, int port) {
    requireNonNull(version, "version");
    requireNonNull(host, "host");
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 256);
      ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
      OrdersService service = new OrdersService(version, server, executor);
      server.createContext("/", service::handle);
      server.setExecutor(executor);
      server.start();
      return service;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
    }
  }

  public Version version() {
    return version;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** {@code java -cp tapline.jar dev.tapline.examples.OrdersService v1|v2 PORT}: run one version. */
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: OrdersService v1|v2 PORT");
      System.exit(2);
    }
    Version v = Version.valueOf(args[0].toUpperCase(Locale.ROOT));
    OrdersService s = start(v, Integer.parseInt(args[1]));
    System.out.println("orders " + v + " listening on " + s.baseUri());
    Runtime.getRuntime().addShutdownHook(new Thread(s::close));
    Thread.currentThread().join();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String method = ex.getRequestMethod();
      if (path.equals("/healthz")) {
        send(ex, 200, JSON.createObjectNode().put("status", "ok"));
        return;
      }
      if (path.equals("/orders") || path.equals("/orders/")) {
        switch (method) {
          case "POST" -> create(ex);
          case "GET", "HEAD" -> list(ex);
          default -> methodNotAllowed(ex, "GET, POST");
        }
        return;
      }
      if (path.startsWith("/orders/") && path.indexOf('/', 8) < 0) {
        String id = path.substring(8);
        switch (method) {
          case "GET", "HEAD" -> get(ex, id);
          case "PATCH" -> patch(ex, id);
          case "DELETE" -> delete(ex, id);
          default -> methodNotAllowed(ex, "GET, PATCH, DELETE");
        }
        return;
      }
      error(ex, 404, "not_found", "no route for " + method + " " + path, null);
    } catch (RuntimeException e) {
      error(ex, 500, "internal", String.valueOf(e.getMessage()), null);
    }
  }

  private void create(HttpExchange ex) throws IOException {
    JsonNode body = readJson(ex);
    if (body == null) {
      return;
    }
    JsonNode customerNode = body.hasNonNull("customerName") && version == Version.V2
        ? body.get("customerName") : body.get("customer");
    if (customerNode == null || !customerNode.isTextual() || customerNode.asText().isBlank()) {
      error(ex, 400, "validation_failed", "customer is required and must be a non-empty string", "customer");
      return;
    }
    JsonNode items = body.get("items");
    if (items == null || !items.isArray() || items.isEmpty()) {
      error(ex, 400, "validation_failed", "items must be a non-empty array", "items");
      return;
    }
    ArrayNode cleanItems = JSON.createArrayNode();
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      String where = "items[" + i + "]";
      if (!item.path("sku").isTextual()) {
        error(ex, 400, "validation_failed", where + ".sku must be a string", where + ".sku");
        return;
      }
      if (!item.path("quantity").canConvertToInt() || !item.path("quantity").isIntegralNumber() || item.path("quantity").asInt() < 1) {
        error(ex, 400, "validation_failed", where + ".quantity must be a positive integer", where + ".quantity");
        return;
      }
      if (!item.path("price").isNumber() || item.path("price").decimalValue().signum() < 0) {
        error(ex, 400, "validation_failed", where + ".price must be a non-negative number", where + ".price");
        return;
      }
      ObjectNode clean = cleanItems.addObject();
      clean.put("sku", item.get("sku").asText());
      clean.put("quantity", item.get("quantity").asInt());
      clean.put("price", item.get("price").decimalValue());
    }
    String now = now();
    ObjectNode order = JSON.createObjectNode();
    String id = UUID.randomUUID().toString();
    order.put("id", id);
    order.put("customer", customerNode.asText());
    order.set("items", cleanItems);
    order.put("status", "NEW");
    order.put("createdAt", now);
    order.put("updatedAt", now);
    orders.put(id, order);
    ex.getResponseHeaders().add("Location", "/orders/" + id);
    send(ex, 201, render(order));
  }

  private void get(HttpExchange ex, String id) throws IOException {
    ObjectNode order = orders.get(id);
    if (order == null) {
      error(ex, 404, "not_found", "order " + id + " does not exist", null);
      return;
    }
    send(ex, 200, render(order));
  }

  private void list(HttpExchange ex) throws IOException {
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    Integer page = intParam(q, "page", 0);
    Integer size = intParam(q, "size", 20);
    if (page == null || page < 0) {
      error(ex, 400, "validation_failed", "page must be a non-negative integer", "page");
      return;
    }
    if (size == null || size < 1 || size > 100) {
      error(ex, 400, "validation_failed", "size must be an integer from 1 to 100", "size");
      return;
    }
    List<ObjectNode> all = new ArrayList<>(orders.values());
    all.sort(Comparator.comparing((ObjectNode o) -> o.get("createdAt").asText()).reversed()
        .thenComparing(o -> o.get("id").asText()));
    ObjectNode out = JSON.createObjectNode();
    ArrayNode items = out.putArray("items");
    all.stream().skip((long) page * size).limit(size).forEach(o -> items.add(render(o)));
    out.put("page", page);
    out.put("size", size);
    out.put("total", all.size());
    send(ex, 200, out);
  }

  private void patch(HttpExchange ex, String id) throws IOException {
    ObjectNode order = orders.get(id);
    if (order == null) {
      error(ex, 404, "not_found", "order " + id + " does not exist", null);
      return;
    }
    JsonNode body = readJson(ex);
    if (body == null) {
      return;
    }
    JsonNode status = body.get("status");
    if (status == null || !status.isTextual() || !STATUSES.contains(status.asText())) {
      error(ex, 400, "validation_failed", "status must be one of " + new java.util.TreeSet<>(STATUSES), "status");
      return;
    }
    synchronized (order) {
      String current = order.get("status").asText();
      if (current.equals("CANCELLED") || current.equals("SHIPPED")) {
        error(ex, 409, "conflict", "order " + id + " is " + current + " and can no longer change", "status");
        return;
      }
      order.put("status", status.asText());
      order.put("updatedAt", now());
    }
    send(ex, 200, render(order));
  }

  private void delete(HttpExchange ex, String id) throws IOException {
    if (orders.remove(id) == null) {
      error(ex, 404, "not_found", "order " + id + " does not exist", null);
      return;
    }
    ex.sendResponseHeaders(204, -1);
  }

  /** The version-specific response shape of a stored order. */
  private ObjectNode render(ObjectNode stored) {
    BigDecimal total = BigDecimal.ZERO;
    for (JsonNode item : stored.get("items")) {
      total = total.add(item.get("price").decimalValue().multiply(BigDecimal.valueOf(item.get("quantity").asInt())));
    }
    total = total.setScale(2, RoundingMode.HALF_UP);
    ObjectNode out = JSON.createObjectNode();
    out.put("id", stored.get("id").asText());
    if (version == Version.V1) {
      out.put("customer", stored.get("customer").asText());
    } else {
      out.put("customerName", stored.get("customer").asText());
    }
    out.set("items", stored.get("items").deepCopy());
    if (version == Version.V1) {
      out.put("total", total);
    } else {
      out.put("total", total.toPlainString());
      out.put("currency", "EUR");
    }
    out.put("status", stored.get("status").asText());
    out.put("createdAt", stored.get("createdAt").asText());
    out.put("updatedAt", stored.get("updatedAt").asText());
    return out;
  }

  private @Nullable JsonNode readJson(HttpExchange ex) throws IOException {
    byte[] bytes;
    try (InputStream in = ex.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY + 1);
    }
    if (bytes.length > MAX_BODY) {
      error(ex, 413, "too_large", "request body exceeds " + MAX_BODY + " bytes", null);
      return null;
    }
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        error(ex, 400, "bad_json", "request body must be a JSON object", null);
        return null;
      }
      return node;
    } catch (IOException e) {
      error(ex, 400, "bad_json", "request body is not valid JSON", null);
      return null;
    }
  }

  private void methodNotAllowed(HttpExchange ex, String allow) throws IOException {
    ex.getResponseHeaders().add("Allow", allow);
    error(ex, 405, "method_not_allowed", ex.getRequestMethod() + " is not allowed here; use " + allow, null);
  }

  private static void error(HttpExchange ex, int status, String code, String message, @Nullable String field)
      throws IOException {
    ObjectNode body = JSON.createObjectNode().put("error", code).put("message", message);
    if (field != null) {
      body.put("field", field);
    }
    send(ex, status, body);
  }

  private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static Map<String, String> query(@Nullable String raw) {
    Map<String, String> out = new java.util.HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  private static @Nullable Integer intParam(Map<String, String> q, String name, int dflt) {
    String v = q.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
