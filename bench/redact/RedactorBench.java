import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Headers;
import dev.tapline.core.Redactor;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Redactor microbenchmark (not a test, no JMH): times {@code Redactor.defaults().redact} on whole
 * exchanges with typical clean and dirty JSON bodies, on one thread. Per case: a warm-up, then
 * ROUNDS rounds of about half a second; prints the median and best CPU ns per exchange (the thread's
 * CPU time, which a busy shared machine disturbs less than the clock), the median wall-clock ns, and
 * the bytes allocated per exchange (the thread's allocation counter).
 *
 *   bench/redact/run.sh [ROUNDS [CASE]]     (default 7 rounds of every case)
 */
public final class RedactorBench {
  static volatile Object sink;

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    String only = args.length > 1 ? args[1] : "";
    Redactor redactor = Redactor.defaults();
    Map<String, Exchange> cases = cases();
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    System.out.printf("%d cores, load average %.2f; %d rounds%n", Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), rounds);
    System.out.printf("%-16s %9s %9s %9s %10s %8s  %s%n", "case", "cpu med", "cpu best", "wall med", "alloc/op", "bytes", "redactions");
    for (Map.Entry<String, Exchange> c : cases.entrySet()) {
      if (!c.getKey().contains(only)) {
        continue;
      }
      Exchange e = c.getValue();
      run(redactor, e, 2_000_000_000L); // warm-up
      long[] ns = new long[rounds];
      long[] cpu = new long[rounds];
      long allocated = 0;
      long ops = 0;
      for (int r = 0; r < rounds; r++) {
        long a0 = mx.getCurrentThreadAllocatedBytes();
        long c0 = mx.getCurrentThreadCpuTime();
        long[] res = run(redactor, e, 500_000_000L);
        cpu[r] = (mx.getCurrentThreadCpuTime() - c0) / res[1];
        allocated += mx.getCurrentThreadAllocatedBytes() - a0;
        ops += res[1];
        ns[r] = res[0] / res[1];
      }
      Arrays.sort(ns);
      Arrays.sort(cpu);
      Exchange out = redactor.redact(e);
      int bytes = e.request().body().bytes().length + (e.response() == null ? 0 : e.response().body().bytes().length);
      System.out.printf("%-16s %6d ns %6d ns %6d ns %8d B %8d  %s%n", c.getKey(), cpu[rounds / 2], cpu[0],
          ns[rounds / 2], allocated / ops, bytes, out == e ? "(same exchange)" : out.redactions());
    }
  }

  /** Returns {elapsed ns, ops}. */
  static long[] run(Redactor redactor, Exchange e, long budgetNanos) {
    long t0 = System.nanoTime();
    long ops = 0;
    long now;
    do {
      for (int i = 0; i < 256; i++) {
        sink = redactor.redact(e);
      }
      ops += 256;
    } while ((now = System.nanoTime()) - t0 < budgetNanos);
    return new long[] {now - t0, ops};
  }

  static Map<String, Exchange> cases() {
    Map<String, Exchange> m = new LinkedHashMap<>();
    Headers get = Headers.of("Host", "orders.internal:8080", "User-Agent", "okhttp/4.12.0",
        "Accept", "application/json", "Accept-Encoding", "gzip", "X-Request-Id", "7d3f0c2e-8a41-4b8e-9d1a-2f5e7c9b1a30",
        "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "sd-routing-key", "pr-1234");
    Headers json = Headers.of("Content-Type", "application/json", "Date", "Thu, 26 Nov 2026 10:00:00 GMT",
        "ETag", "\"33a64df551425fcc55e4d42a148795d0f3f5f2b1\"", "Content-Length", "1433");
    String order = order(1042, 6, "Blue widget, pinned");
    m.put("clean-get", exchange("GET", "/orders/1042", "expand=items&page=2", get, Body.empty(), json,
        Body.text("application/json", order)));
    Headers post = Headers.of("Host", "orders.internal:8080", "Content-Type", "application/json",
        "Accept", "application/json", "X-Request-Id", "7d3f0c2e-8a41-4b8e-9d1a-2f5e7c9b1a30", "sd-routing-key", "pr-1234");
    String newOrder = "{\"customerId\":\"0190f1c2-7a4b-7c3d-9e8f-1a2b3c4d5e6f\",\"currency\":\"EUR\",\"items\":["
        + "{\"sku\":\"SKU-1042-A\",\"quantity\":2,\"unitPrice\":19.99},{\"sku\":\"SKU-2210-C\",\"quantity\":1,\"unitPrice\":149.5}],"
        + "\"shipping\":{\"name\":\"Ann Author\",\"street\":\"12 Harbour Road\",\"city\":\"Lisbon\",\"postcode\":\"1100-148\",\"country\":\"PT\"},"
        + "\"note\":\"leave at the door\",\"placedAt\":\"2026-11-26T10:00:00.123Z\"}";
    m.put("clean-post", exchange("POST", "/orders", null, post, Body.text("application/json", newOrder), json,
        Body.text("application/json", order)));
    m.put("clean-utf8", exchange("GET", "/orders/1043", null, get, Body.empty(), json,
        Body.text("application/json", order(1043, 6, "Caf\u00e9 cr\u00e8me \u2013 na\u00efve"))));
    StringBuilder list = new StringBuilder("{\"orders\":[");
    for (int i = 0; i < 40; i++) {
      list.append(i == 0 ? "" : ",").append(order(2000 + i, 4 + i % 5, "item " + i));
    }
    m.put("clean-list-34k", exchange("GET", "/orders", "page=1&size=40", get, Body.empty(), json,
        Body.text("application/json", list.append("],\"next\":\"/orders?page=2\"}").toString())));
    Headers auth = Headers.of("Host", "orders.internal:8080", "Accept", "application/json",
        "Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlLWJ5dGVz", "sd-routing-key", "pr-1234");
    m.put("auth-header", exchange("GET", "/orders/1042", null, auth, Body.empty(), json, Body.text("application/json", order)));
    m.put("dirty-login", exchange("POST", "/login", null, post,
        Body.text("application/json", "{\"username\":\"ann\",\"password\":\"hunter2\",\"remember\":true}"), json,
        Body.text("application/json", "{\"access_token\":\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2ln\",\"token_type\":\"bearer\",\"expires_in\":3600}")));
    m.put("dirty-card", exchange("POST", "/payments", null, post,
        Body.text("application/json", "{\"orderId\":1042,\"amount\":189.48,\"currency\":\"EUR\",\"card\":{\"number\":\"4111 1111 1111 1111\",\"expiry\":\"12/29\",\"holder\":\"Ann Author\"}}"),
        json, Body.text("application/json", "{\"paymentId\":\"0190f1c2-7a4b-7c3d-9e8f-1a2b3c4d5e70\",\"status\":\"AUTHORIZED\"}")));
    // Epoch-millisecond timestamps are 13-digit runs: they pass the card pre-filter, fail Luhn mostly.
    m.put("clean-epochms", exchange("GET", "/events", null, get, Body.empty(), json, Body.text("application/json",
        "{\"events\":[{\"id\":1,\"at\":1764151207001,\"kind\":\"view\"},{\"id\":2,\"at\":1764151209554,\"kind\":\"click\"},"
            + "{\"id\":3,\"at\":1764151211872,\"kind\":\"view\"}],\"serverTime\":1764151212000}")));
    return m;
  }

  static String order(long id, int items, String description) {
    StringBuilder b = new StringBuilder();
    b.append("{\"id\":").append(id).append(",\"number\":\"ORD-2026-").append(100000 + id)
        .append("\",\"status\":\"SHIPPED\",\"customer\":{\"id\":\"0190f1c2-7a4b-7c3d-9e8f-1a2b3c4d5e6f\",\"name\":\"Ann Author\",")
        .append("\"email\":\"ann@example.com\"},\"description\":\"").append(description).append("\",\"items\":[");
    for (int i = 0; i < items; i++) {
      b.append(i == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(1000 + 37 * i).append("-B\",\"name\":\"Widget ")
          .append(i).append("\",\"quantity\":").append(1 + i % 3).append(",\"unitPrice\":").append(String.format(java.util.Locale.ROOT, "%.2f", 9.99 + i))
          .append(",\"pinned\":").append(i % 2 == 0).append("}");
    }
    return b.append("],\"total\":189.48,\"currency\":\"EUR\",\"createdAt\":\"2026-11-26T10:00:00.123Z\",")
        .append("\"updatedAt\":\"2026-11-27T08:15:42Z\",\"tracking\":\"1Z999AA10123456784\",\"version\":7}").toString();
  }

  static Exchange exchange(String method, String path, String query, Headers reqHeaders, Body reqBody,
      Headers respHeaders, Body respBody) {
    return new Exchange("0190f1c2-7a4b-7c3d-9e8f-1a2b3c4d5e6f", 1764151207001122L, 1234, "orders", "bench",
        "pr-1234", "sandbox:pr-1234", null, null,
        new Request(method, "http", "orders.internal:8080", path, query, reqHeaders, reqBody),
        new Response(200, respHeaders, respBody), null, List.of());
  }
}
