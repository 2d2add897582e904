package dev.tapline.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Headers;
import dev.tapline.core.Ids;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replay benchmark (not a test): end-to-end exchanges compared per second against a fast local
 * service, and the cost of comparing 1 KB / 100 KB / 1 MB JSON pairs. Warmed up; prints medians.
 * Run with bench/replay/run.sh.
 */
public final class ReplayBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int exchanges = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    System.out.printf(Locale.ROOT, "machine: %d cpus, %s %s, max heap %d MB%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"), System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
    if (!Boolean.getBoolean("skipDiff")) {
      diffCost();
    }
    endToEnd(exchanges);
  }

  // ---- end to end -------------------------------------------------------------------------

  static void endToEnd(int n) throws Exception {
    HttpServer baseline = service("baseline");
    HttpServer sandbox = service("sandbox");
    try {
      URI b = URI.create("http://127.0.0.1:" + baseline.getAddress().getPort());
      URI s = URI.create("http://127.0.0.1:" + sandbox.getAddress().getPort());
      List<Exchange> recorded = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        recorded.add(exchange(i));
      }
      for (int concurrency : new int[] {8, 32}) {
        Replayer r = Replayer.create(ReplayOptions.builder().baselineAndSandbox(b, s).concurrency(concurrency).build());
        r.replay(recorded.subList(0, Math.min(n, 3000)));   // warm-up: JIT, connections
        double[] rates = new double[3];
        DriftReport last = null;
        for (int run = 0; run < rates.length; run++) {
          long t0 = System.nanoTime();
          last = r.replay(recorded);
          double secs = (System.nanoTime() - t0) / 1e9;
          rates[run] = n / secs;
        }
        Arrays.sort(rates);
        System.out.printf(Locale.ROOT,
            "end-to-end, concurrency %2d: %,d exchanges (%,d requests) -> median %,.0f exchanges/s (%,.0f requests/s); runs %s; verdict %s, %d differences, %d ignored%n",
            concurrency, n, 3L * n, rates[1], rates[1] * 3, fmt(rates), last.verdict().wireName(),
            last.counts().breaking() + last.counts().compatible(), last.counts().ignored());
      }
    } finally {
      baseline.stop(0);
      sandbox.stop(0);
    }
  }

  /**
   * A fast JSON service: a ~1 KB order per GET whose {@code id} echoes the path and whose {@code
   * requestId} is new on every call (noise); {@code createdAt} is fixed per instance, so it differs
   * between baseline and sandbox and is learned as noise from the recorded response. The body is
   * precomputed around those two values so that the service costs little next to the replayer.
   */
  static HttpServer service(String name) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
    AtomicLong seq = new AtomicLong();
    String template = orderJson("\u0001", "\u0002", false);
    byte[] head = template.substring(0, template.indexOf('\u0001')).getBytes(StandardCharsets.UTF_8);
    byte[] mid = template.substring(template.indexOf('\u0001') + 1, template.indexOf('\u0002')).getBytes(StandardCharsets.UTF_8);
    byte[] tail = template.substring(template.indexOf('\u0002') + 1).getBytes(StandardCharsets.UTF_8);
    server.createContext("/", ex -> {
      String path = ex.getRequestURI().getRawPath();
      byte[] id = path.substring(path.lastIndexOf('/') + 1).getBytes(StandardCharsets.UTF_8);
      byte[] rid = (name + "-" + seq.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
      byte[] body = new byte[head.length + id.length + mid.length + rid.length + tail.length];
      int o = 0;
      for (byte[] part : new byte[][] {head, id, mid, rid, tail}) {
        System.arraycopy(part, 0, body, o, part.length);
        o += part.length;
      }
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(body);
      }
      ex.close();
    });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return server;
  }

  static String orderJson(String id, String requestId, boolean v2) {
    StringBuilder sb = new StringBuilder(1100);
    sb.append("{\"id\":\"").append(id).append("\",\"requestId\":\"").append(requestId).append("\",")
        .append(v2 ? "\"customerName\"" : "\"customer\"").append(":\"ann\",\"status\":\"NEW\",\"items\":[");
    for (int i = 0; i < 6; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(i).append("\",\"name\":\"Item number ").append(i)
          .append("\",\"quantity\":").append(i + 1).append(",\"price\":").append(9.99 + i).append(",\"tags\":[\"a\",\"b\"]}");
    }
    sb.append("],\"total\":").append(v2 ? "\"123.45\"" : "123.45")
        .append(",\"shipping\":{\"street\":\"1 Main Street\",\"city\":\"Oslo\",\"zip\":\"0150\",\"country\":\"NO\"},")
        .append("\"createdAt\":\"").append(Instant.now()).append("\",\"updatedAt\":\"").append(Instant.now()).append("\"}");
    return sb.toString();
  }

  static Exchange exchange(int i) {
    String id = Integer.toString(100_000 + i);
    Request req = new Request("GET", "http", "orders", "/orders/" + id, null, Headers.of("Accept", "application/json"), Body.empty());
    Response resp = new Response(200, Headers.of("Content-Type", "application/json"),
        Body.text("application/json", orderJson(id, "recorded", false)));
    return new Exchange(Ids.newId(), Ids.nowMicros(), 1000, "orders", "bench", null, Exchange.BASELINE, null, null, req, resp,
        null, List.of());
  }

  // ---- diff cost --------------------------------------------------------------------------

  static void diffCost() throws Exception {
    for (int kb : new int[] {1, 100, 1024}) {
      String a = list(kb * 1024, false, "a");
      String b = list(kb * 1024, true, "b");
      byte[] ab = a.getBytes(StandardCharsets.UTF_8);
      byte[] bb = b.getBytes(StandardCharsets.UTF_8);
      JsonNode ta = JSON.readTree(ab);
      JsonNode tb = JSON.readTree(bb);
      int diffs = JsonDiff.diff(ta, tb).size();
      int iterations = kb == 1 ? 20_000 : kb == 100 ? 400 : 40;
      double parseAndDiff = medianMillis(iterations, () -> JsonDiff.diff(JSON.readTree(ab), JSON.readTree(bb)));
      double diffOnly = medianMillis(iterations, () -> JsonDiff.diff(ta, tb));
      Response r1 = new Response(200, Headers.of("Content-Type", "application/json"), Body.of("application/json", ab));
      Response r2 = new Response(200, Headers.of("Content-Type", "application/json"),
          Body.of("application/json", list(kb * 1024, false, "c").getBytes(StandardCharsets.UTF_8)));
      Response rs = new Response(200, Headers.of("Content-Type", "application/json"), Body.of("application/json", bb));
      Exchange rec = new Exchange("x", 0, 0, "orders", "bench", null, Exchange.BASELINE, null, null,
          new Request("GET", "http", "orders", "/orders", null, Headers.empty(), Body.empty()), r1, null, List.of());
      double exchange = medianMillis(Math.max(10, iterations / 3), () -> Comparison.compare(rec, r1, r2, rs));
      System.out.printf(Locale.ROOT,
          "diff %5d KB pair (%,d + %,d bytes, %d differences): parse+diff median %.3f ms, diff of parsed trees %.3f ms, "
              + "whole exchange (4 bodies parsed, 3 diffs) %.3f ms%n",
          kb, ab.length, bb.length, diffs, parseAndDiff, diffOnly, exchange);
    }
  }

  /** An orders list of about {@code bytes} bytes; the v2 side has the orders contract change in every item. */
  static String list(int bytes, boolean v2, String salt) throws Exception {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode items = root.putArray("items");
    int i = 0;
    while (JSON.writeValueAsBytes(root).length < bytes - 200 || i == 0) {
      items.add(JSON.readTree(orderJson(salt + "-" + UUID.nameUUIDFromBytes((salt + i).getBytes()), "r", v2)));
      i++;
      if (bytes <= 2048) {
        break;
      }
    }
    root.put("page", 0).put("size", i).put("total", i);
    return JSON.writeValueAsString(root);
  }

  interface Work {
    Object run() throws Exception;
  }

  static double medianMillis(int iterations, Work w) throws Exception {
    Object sink = null;
    for (int i = 0; i < iterations; i++) {   // warm-up
      sink = w.run();
    }
    int samples = 15;
    double[] ms = new double[samples];
    int per = Math.max(1, iterations / samples);
    for (int s = 0; s < samples; s++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < per; i++) {
        sink = w.run();
      }
      ms[s] = (System.nanoTime() - t0) / 1e6 / per;
    }
    if (sink == null) {
      throw new IllegalStateException();
    }
    Arrays.sort(ms);
    return ms[samples / 2];
  }

  static String fmt(double[] rates) {
    StringBuilder sb = new StringBuilder("[");
    for (double r : rates) {
      sb.append(sb.length() > 1 ? ", " : "").append(String.format(Locale.ROOT, "%,.0f", r));
    }
    return sb.append("]").toString();
  }
}
