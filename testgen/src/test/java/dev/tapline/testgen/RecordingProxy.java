package dev.tapline.testgen;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Header;
import dev.tapline.core.Headers;
import dev.tapline.core.Ids;
import dev.tapline.core.Redactor;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import dev.tapline.core.RoutingKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A tiny recording reverse proxy for tests: forwards every request to an upstream over real HTTP and
 * records what went through as redacted {@link Exchange}s, the way the capture proxy does (without
 * Kafka). It lets {@code DemoTraffic} drive a real service while the test captures the traffic.
 */
final class RecordingProxy implements AutoCloseable {
  private static final Set<String> HOP = Set.of("connection", "content-length", "host", "transfer-encoding",
      "upgrade", "expect", "keep-alive", "te", "trailer", "proxy-connection");

  private final URI upstream;
  private final String service;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<Exchange> recorded = new CopyOnWriteArrayList<>();
  private final Redactor redactor = Redactor.defaults();

  RecordingProxy(URI upstream, String service) throws IOException {
    this.upstream = upstream;
    this.service = service;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  List<Exchange> exchanges() {
    return List.copyOf(recorded);
  }

  private void handle(HttpExchange ex) throws IOException {
    String id = Ids.newId();
    long started = Ids.nowMicros();
    byte[] reqBytes;
    try (InputStream in = ex.getRequestBody()) {
      reqBytes = in.readAllBytes();
    }
    List<Header> reqHeaders = headers(ex.getRequestHeaders());
    Headers rh = new Headers(reqHeaders);
    String rawPath = ex.getRequestURI().getRawPath();
    String rawQuery = ex.getRequestURI().getRawQuery();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + rawPath + (rawQuery == null ? "" : "?" + rawQuery)));
    for (Header h : reqHeaders) {
      if (!HOP.contains(h.name().toLowerCase(Locale.ROOT))) {
        b.header(h.name(), h.value());
      }
    }
    b.method(ex.getRequestMethod(), reqBytes.length == 0 ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(reqBytes));
    HttpResponse<byte[]> resp;
    try {
      resp = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    List<Header> respHeaders = new ArrayList<>();
    resp.headers().map().forEach((name, values) -> {
      if (!name.startsWith(":")) {
        values.forEach(v -> respHeaders.add(new Header(name, v)));
      }
    });
    respHeaders.sort((x, y) -> x.name().compareToIgnoreCase(y.name()));
    String routingKey = RoutingKeys.defaults().extract(rh);
    Request request = new Request(ex.getRequestMethod(), "http", rh.first("Host") == null ? "localhost" : rh.first("Host"),
        rawPath, rawQuery, rh, reqBytes.length == 0 ? Body.empty() : Body.of(rh.first("Content-Type"), reqBytes));
    Headers respH = new Headers(respHeaders);
    Response response = new Response(resp.statusCode(), respH,
        resp.body().length == 0 ? Body.empty() : Body.of(respH.first("Content-Type"), resp.body()));
    Exchange exchange = new Exchange(id, started, Ids.nowMicros() - started, service, "test-proxy", routingKey,
        routingKey == null ? Exchange.BASELINE : Exchange.sandboxTarget(routingKey),
        rh.first("traceparent"), rh.first("baggage"), request, response, null, List.of());
    recorded.add(redactor.redact(exchange));
    for (Header h : respHeaders) {
      if (!HOP.contains(h.name().toLowerCase(Locale.ROOT)) && !h.name().equalsIgnoreCase("date")) {
        ex.getResponseHeaders().add(h.name(), h.value());
      }
    }
    boolean noBody = resp.body().length == 0;
    ex.sendResponseHeaders(resp.statusCode(), noBody ? -1 : resp.body().length);
    if (!noBody) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(resp.body());
      }
    }
    ex.close();
  }

  private static List<Header> headers(Map<String, List<String>> map) {
    List<Header> out = new ArrayList<>();
    map.forEach((name, values) -> values.forEach(v -> out.add(new Header(name, v))));
    out.sort((x, y) -> x.name().compareToIgnoreCase(y.name()));
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
