package dev.tapline.bench.testgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.ExchangeReader;
import dev.tapline.core.Headers;
import dev.tapline.core.Ids;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import dev.tapline.testgen.GenerationResult;
import dev.tapline.testgen.GeneratorOptions;
import dev.tapline.testgen.TestGenerator;
import dev.tapline.testgen.VerifyOptions;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * {@code tapline generate --verify} on 200 endpoints: a local service with 40 resource collections
 * under {@code /api/v1} (create, list, read, update, delete each: 200 endpoints) answers real
 * requests; what it answered is the recording; the generator writes the suite, then compiles and runs
 * it against the same service, {@code --runs} times. Prints the time of generation alone and with
 * verification, and what verification changed.
 *
 * <p>Run: {@code bench/testgen/run.sh verify [requests] [runs]} (defaults 2000 and 2).
 */
public final class VerifyBench {
  private static final int RESOURCES = 40;

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    HttpServer server = serve();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1");
    try {
      List<Exchange> recorded = record(base, requests);
      StringBuilder ndjson = new StringBuilder();
      recorded.forEach(e -> ndjson.append(new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8)).append('\n'));
      GeneratorOptions options = GeneratorOptions.builder("com.example.bench").sourceName("bench").build();

      long start = System.nanoTime();
      GenerationResult plain;
      try (ExchangeReader in = ExchangeReader.of(new StringReader(ndjson.toString()), "bench")) {
        plain = TestGenerator.create(options).generate(in, null);
      }
      long generateMillis = (System.nanoTime() - start) / 1_000_000;

      start = System.nanoTime();
      GenerationResult verified;
      try (ExchangeReader in = ExchangeReader.of(new StringReader(ndjson.toString()), "bench")) {
        verified = TestGenerator.create(options).generate(in, null, VerifyOptions.of(base, runs));
      }
      long verifyMillis = (System.nanoTime() - start) / 1_000_000;
      GenerationResult.Verification v = verified.verification();

      System.out.printf("exchanges:            %d recorded from a local service%n", recorded.size());
      System.out.printf("endpoints:            %d%n", plain.endpoints().size());
      System.out.printf("tests:                %d generated, %d written after verification%n",
          plain.scenariosWritten(), verified.scenariosWritten());
      System.out.printf("generate:             %.2f s%n", generateMillis / 1000.0);
      System.out.printf("generate --verify:    %.2f s (%d run(s) per round, %d round(s), verification %.2f s)%n",
          verifyMillis / 1000.0, runs, v.rounds(), v.millis() / 1000.0);
      System.out.printf("assertions removed:   %d; tests not written: %d%n", v.removed().size(), v.notWritten().size());
      v.notWritten().stream().limit(5).forEach(n -> System.out.println("  not written: " + n.test() + ": " + n.why()));
      System.out.printf("java:                 %s; cpus %d%n", System.getProperty("java.version"),
          Runtime.getRuntime().availableProcessors());
    } finally {
      server.stop(0);
    }
  }

  /** 40 in-memory collections: POST 201 (400 without a name), GET list, GET/PATCH/DELETE one, 404 for unknown ids. */
  static HttpServer serve() throws IOException {
    Map<String, Map<String, ObjectNode>> store = new ConcurrentHashMap<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/api/v1/", ex -> {
      try (ex) {
        String[] p = ex.getRequestURI().getPath().substring("/api/v1/".length()).split("/");
        Map<String, ObjectNode> items = store.computeIfAbsent(p[0], k -> new ConcurrentHashMap<>());
        String method = ex.getRequestMethod();
        byte[] in = ex.getRequestBody().readAllBytes();
        if (p.length == 1 && method.equals("POST")) {
          JsonNode body = in.length == 0 ? null : ExchangeCodec.mapper().readTree(in);
          if (body == null || !body.hasNonNull("name")) {
            send(ex, 400, "{\"error\":\"validation_failed\",\"message\":\"name is required\"}");
            return;
          }
          ObjectNode item = (ObjectNode) body.deepCopy();
          String id = UUID.randomUUID().toString();
          item.put("id", id).put("kind", p[0]).put("createdAt", Instant.now().toString());
          items.put(id, item);
          send(ex, 201, item.toString());
        } else if (p.length == 1 && method.equals("GET")) {
          ObjectNode out = ExchangeCodec.mapper().createObjectNode();
          var arr = out.putArray("items");
          items.values().stream().limit(20).forEach(arr::add);
          out.put("total", items.size());
          send(ex, 200, out.toString());
        } else if (p.length == 2) {
          ObjectNode item = items.get(p[1]);
          if (item == null) {
            send(ex, 404, "{\"error\":\"not_found\",\"message\":\"no " + p[1] + "\"}");
          } else if (method.equals("GET")) {
            send(ex, 200, item.toString());
          } else if (method.equals("PATCH")) {
            ExchangeCodec.mapper().readerForUpdating(item).readValue(in);
            send(ex, 200, item.toString());
          } else if (method.equals("DELETE")) {
            items.remove(p[1]);
            ex.sendResponseHeaders(204, -1);
          } else {
            send(ex, 405, "{\"error\":\"method_not_allowed\"}");
          }
        } else {
          send(ex, 404, "{\"error\":\"not_found\"}");
        }
      }
    });
    server.start();
    return server;
  }

  private static void send(com.sun.net.httpserver.HttpExchange ex, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  /** Drives create, list, read, update, delete on every collection and keeps what was said as exchanges. */
  static List<Exchange> record(URI base, int requests) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Random random = new Random(42);
    List<Exchange> out = new ArrayList<>();
    List<List<String>> ids = new ArrayList<>();
    for (int r = 0; r < RESOURCES; r++) {
      ids.add(new ArrayList<>());
    }
    for (int i = 0; i < requests; i++) {
      int r = i % RESOURCES;
      String col = "/res" + r + "s";
      int op = (i / RESOURCES) % 5;
      List<String> mine = ids.get(r);
      String method;
      String path;
      String body = null;
      if (op == 0 || mine.isEmpty()) {
        method = "POST";
        path = col;
        body = random.nextInt(20) == 0 ? "{\"amount\":1.5}"
            : "{\"name\":\"item " + random.nextInt(1000) + "\",\"amount\":" + random.nextInt(10_000) / 100.0 + "}";
      } else if (op == 1) {
        method = "GET";
        path = col;
      } else if (op == 2) {
        method = "GET";
        path = col + "/" + (random.nextInt(10) == 0 ? UUID.randomUUID().toString() : mine.get(random.nextInt(mine.size())));
      } else if (op == 3) {
        method = "PATCH";
        path = col + "/" + mine.get(random.nextInt(mine.size()));
        body = "{\"active\":" + random.nextBoolean() + "}";
      } else {
        method = "DELETE";
        path = col + "/" + mine.remove(mine.size() - 1);
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
      b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        b.header("Content-Type", "application/json");
      }
      long started = Ids.nowMicros();
      HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (method.equals("POST") && resp.statusCode() == 201) {
        mine.add(ExchangeCodec.mapper().readTree(resp.body()).get("id").asText());
      }
      String ct = resp.headers().firstValue("Content-Type").orElse(null);
      out.add(new Exchange(Ids.newId(), started, 1000, "bench", "bench", null, Exchange.BASELINE, null, null,
          new Request(method, "http", base.getRawAuthority(), base.getRawPath() + path, null,
              body == null ? Headers.empty() : Headers.of("Content-Type", "application/json"),
              body == null ? Body.empty() : Body.text("application/json", body)),
          new Response(resp.statusCode(), ct == null ? Headers.empty() : Headers.of("Content-Type", ct),
              resp.body().isEmpty() ? Body.empty() : Body.text(ct, resp.body())),
          null, List.of()));
    }
    return out;
  }
}
