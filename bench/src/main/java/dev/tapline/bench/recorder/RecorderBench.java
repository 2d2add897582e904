package dev.tapline.bench.recorder;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Headers;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import dev.tapline.core.api.Page;
import dev.tapline.kafka.embedded.EmbeddedKafka;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Recorder benchmark (not a test): N synthetic exchanges of an orders API (JSON bodies 0.5-4 KB)
 * are produced to an embedded broker, then a recorder indexes them from the topic. Reports ingest
 * rate, index size vs raw NDJSON, and search latency for a fixed query mix on the full index.
 *
 *   bench/recorder/run.sh [EXCHANGES]     (default 1,000,000)
 */
public final class RecorderBench {
  static final String[] SKUS = new String[200];
  static final String[] WORDS = ("widget gadget sprocket gizmo bracket flange valve hinge bolt washer nut "
      + "cable adapter sensor module panel switch relay motor pump filter gasket seal bearing spring").split(" ");
  static final String[] CUSTOMERS = new String[500];
  static final String[] CITIES = {"Berlin", "Lisbon", "Sydney", "Toronto", "Osaka", "Austin", "Lyon", "Oslo"};

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
    SplittableRandom rnd = new SplittableRandom(42);
    for (int i = 0; i < SKUS.length; i++) {
      SKUS[i] = "SKU-" + (1000 + i) + "-" + (char) ('A' + i % 26);
    }
    for (int i = 0; i < CUSTOMERS.length; i++) {
      CUSTOMERS[i] = "customer" + i + "@example.com";
    }
    Path work = Files.createTempDirectory("tapline-recorder-bench");
    System.out.printf("machine: %d cores, %s, %d MB heap max; load average before: %s%n",
        Runtime.getRuntime().availableProcessors(), cpuModel(), Runtime.getRuntime().maxMemory() >> 20, load());
    try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), 0)) {
      String topic = "bench.exchanges";
      long t0 = System.nanoTime();
      long rawBytes = produce(kafka.bootstrapServers(), topic, n, rnd);
      System.out.printf("produced %,d exchanges (%,.1f MB as NDJSON, %.0f B/exchange) in %.1f s%n",
          n, rawBytes / 1e6, (double) rawBytes / n, (System.nanoTime() - t0) / 1e9);
      // What the topic keeps per exchange (lz4-compressed batches, as the proxy sends them): the
      // partitions' log segments, not their index files, which Kafka allocates ahead.
      long topicBytes = topicLogBytes(work.resolve("kafka").resolve("kafka-logs"), topic);
      System.out.printf("topic: %,.1f MB of log segments on the broker's disk = %.0f B/exchange = %.1f%% of the raw NDJSON%n",
          topicBytes / 1e6, (double) topicBytes / n, 100.0 * topicBytes / rawBytes);

      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
      // A recorder runs for days: its rate is measured on a warm JVM, as JMH and Rally measure
      // throughput after a warm-up. The warm-up indexes other exchanges into an index that is then
      // thrown away, in the same process; -Dbench.warmup=0 measures from a cold JVM.
      int warmup = Integer.getInteger("bench.warmup", 200_000);
      if (warmup > 0) {
        produce(kafka.bootstrapServers(), "bench.warmup", warmup, new SplittableRandom(7));
        Path warmDir = work.resolve("warmup-index");
        long w0 = System.nanoTime();
        long wJit = jit.getTotalCompilationTime();
        try (Recorder r = Recorder.start(config(kafka, "bench.warmup", warmDir))) {
          while (indexed(r) < warmup) {
            Thread.sleep(250);
          }
        }
        deleteTree(warmDir);
        System.out.printf("warm-up: %,d other exchanges indexed in %.1f s (JIT compilation %.1f s), index discarded%n",
            warmup, (System.nanoTime() - w0) / 1e9, (jit.getTotalCompilationTime() - wJit) / 1e3);
      } else {
        System.out.println("warm-up: none (-Dbench.warmup=0): the rate below includes the JIT compiling the code");
      }

      Path indexDir = work.resolve("index");
      RecorderConfig config = config(kafka, topic, indexDir);
      long cpuStart = os.getProcessCpuTime();
      long jitStart = jit.getTotalCompilationTime();
      long start = System.nanoTime();
      long firstAt = 0;
      try (Recorder r = Recorder.start(config)) {
        long last = 0;
        long lastPrint = start;
        while (true) {
          long indexed = indexed(r);
          long now = System.nanoTime();
          if (firstAt == 0 && indexed > 0) {
            firstAt = now;
          }
          if (now - lastPrint > 5_000_000_000L) {
            System.out.printf("  ... %,d indexed (%,.0f/s over the last %.0f s), load %s%n", indexed,
                (indexed - last) / ((now - lastPrint) / 1e9), (now - lastPrint) / 1e9, load());
            last = indexed;
            lastPrint = now;
          }
          if (indexed >= n) {
            break;
          }
          // Rendering the metrics costs CPU the recorder would otherwise have: look once a second until the
          // end is near, then often enough to time it to ~10 ms.
          Thread.sleep(indexed > n - n / 50 ? 10 : 1000);
        }
        long end = System.nanoTime();
        long cpu = os.getProcessCpuTime() - cpuStart;
        long jitMillis = jit.getTotalCompilationTime() - jitStart;
        System.out.printf("ingest: %,d exchanges in %.1f s = %,.0f exchanges/s (from start, incl. group join);"
            + " %,.0f exchanges/s from the first indexed record; %s JVM%n",
            n, (end - start) / 1e9, n / ((end - start) / 1e9), n / ((end - firstAt) / 1e9), warmup > 0 ? "warm" : "cold");
        System.out.printf("ingest CPU: %.0f µs per exchange (whole process incl. the broker): %,.0f exchanges per"
            + " CPU-second, %,.0f/s on %d fully available cores%n", cpu / 1e3 / n, n / (cpu / 1e9),
            Runtime.getRuntime().availableProcessors() * n / (cpu / 1e9), Runtime.getRuntime().availableProcessors());
        System.out.printf("JIT compilation during ingest: %.1f s (%.0f%% of the process CPU)%n", jitMillis / 1e3,
            100.0 * jitMillis * 1e6 / cpu);
      }
      long indexBytes = dirSize(indexDir);
      System.out.printf("index: %,.1f MB on disk = %.0f B/exchange = %.1f%% of the raw NDJSON%n",
          indexBytes / 1e6, (double) indexBytes / n, 100.0 * indexBytes / rawBytes);

      System.out.println("  by file type: " + breakdown(indexDir));
      try (Recorder r = Recorder.start(config)) {
        r.index().refresh();
        search(r, n);
      }
    } finally {
      deleteTree(work);
    }
  }

  static RecorderConfig config(EmbeddedKafka kafka, String topic, Path indexDir) {
    RecorderConfig.Builder builder = RecorderConfig.builder().kafka(kafka.bootstrapServers()).topic(topic)
        .groupId("bench-" + topic).indexDir(indexDir)
        .refreshInterval(java.time.Duration.ofMillis(Long.getLong("bench.refreshMs", 200)))
        // The bench times whole queries (a count of every phrase match, the catalog of a million
        // exchanges): the API's deadline would cut those short.
        .queryTimeout(java.time.Duration.ofMinutes(10));
    Integer indexThreads = Integer.getInteger("bench.indexThreads");
    if (indexThreads != null) {
      builder.indexThreads(indexThreads);
    }
    return builder.build();
  }

  static long indexed(Recorder r) {
    for (String line : r.metricsText().split("\n")) {
      if (line.startsWith("tapline_recorder_indexed_total ")) {
        return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1));
      }
    }
    return 0;
  }

  static void search(Recorder r, int n) throws Exception {
    Map<String, List<String>> mix = new LinkedHashMap<>();
    mix.put("field", List.of("service:orders", "routingKey:sandbox-3", "template:\"/orders/{id}\"", "method:DELETE",
        "target:baseline"));
    mix.put("range", List.of("status:[500 TO 599]", "duration:[200000 TO *]", "time:[now-1h TO now]",
        "status:[400 TO 499]"));
    mix.put("full-text", List.of("body:sprocket", "body:\"out of stock\"", "gasket", "body:customer42@example.com"));
    mix.put("combined", List.of("service:orders AND status:[400 TO 499] AND body:invalid",
        "routingKey:sandbox-2 AND method:POST AND duration:[100000 TO *]",
        "method:GET AND template:\"/orders/{id}\" AND status:404",
        "body:widget AND NOT status:200 AND time:[now-1d TO now]"));
    // Not in "all" (the fixed mix above): phrases of words that are each in most bodies but seldom
    // stand together, the slow case for phrases confirmed against the stored bodies.
    mix.put("phrase", List.of("body:\"gasket valve\"", "body:\"valve gasket seal\"", "body:\"seal bolt\"~2"));
    System.out.printf("search: %,d documents; first page of 50 + the next page by cursor, in process%n", r.index().size());
    // warm up
    for (int i = 0; i < 3; i++) {
      for (List<String> qs : mix.values()) {
        for (String q : qs) {
          r.index().search(q, 50, null);
        }
      }
    }
    List<Long> all = new ArrayList<>();
    int rounds = 40;
    for (Map.Entry<String, List<String>> e : mix.entrySet()) {
      List<Long> times = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        for (String q : e.getValue()) {
          long t = System.nanoTime();
          Page p = r.index().search(q, 50, null);
          times.add(System.nanoTime() - t);
          if (p.nextCursor() != null) {
            t = System.nanoTime();
            r.index().search(q, 50, p.nextCursor());
            times.add(System.nanoTime() - t);
          }
        }
      }
      if (!e.getKey().equals("phrase")) {
        all.addAll(times);
      } else {
        for (String q : e.getValue()) {
          long t = System.nanoTime();
          int pages = 0;
          String cursor = null;
          do {
            cursor = r.index().search(q, 50, cursor).nextCursor();
          } while (cursor != null && ++pages < 10);
          double ms = (System.nanoTime() - t) / 1e6;
          t = System.nanoTime();
          int count = r.index().count(q);
          System.out.printf("    %s: the first ten pages of 50 in %.0f ms; %,d matches, counted in %.0f ms%n", q, ms, count,
              (System.nanoTime() - t) / 1e6);
        }
      }
      System.out.printf("  %-9s p50 %6.2f ms  p99 %6.2f ms  (%d queries: %s)%n", e.getKey(), pct(times, 0.50),
          pct(times, 0.99), times.size(), String.join(" | ", e.getValue()));
    }
    System.out.printf("  all       p50 %6.2f ms  p99 %6.2f ms  (%d queries)%n", pct(all, 0.50), pct(all, 0.99), all.size());
    for (String q : List.of("service:orders", "status:[500 TO 599]", "body:sprocket")) {
      System.out.printf("  count(%s) = %,d%n", q, r.index().count(q));
    }
    long t = System.nanoTime();
    int endpoints = r.index().endpoints(null, null).size();
    System.out.printf("catalog: %d endpoints over all %,d exchanges in %.0f ms%n", endpoints, n, (System.nanoTime() - t) / 1e6);
  }

  static double pct(List<Long> nanos, double p) {
    long[] a = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    int rank = (int) Math.ceil(p * a.length);
    return a[Math.max(0, Math.min(a.length - 1, rank - 1))] / 1e6;
  }

  /** The bytes of the {@code .log} segments of every partition of {@code topic} under {@code logDir}. */
  static long topicLogBytes(Path logDir, String topic) throws java.io.IOException {
    try (var dirs = Files.list(logDir)) {
      long total = 0;
      for (Path d : dirs.filter(d -> d.getFileName().toString().matches(java.util.regex.Pattern.quote(topic) + "-\\d+")).toList()) {
        try (var files = Files.list(d)) {
          for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
            total += Files.size(f);
          }
        }
      }
      return total;
    }
  }

  static long produce(String bootstrap, String topic, int n, SplittableRandom rnd) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 * 1024 * 1024));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    long raw = 0;
    // Spread over the last 6 hours, oldest first, as a proxy would have written them.
    long nowMicros = System.currentTimeMillis() * 1000L;
    long spanMicros = 6L * 3600 * 1_000_000L;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < n; i++) {
        Exchange e = exchange(rnd, nowMicros - spanMicros + spanMicros * i / n);
        byte[] value = ExchangeCodec.encode(e);
        raw += value.length + 1;
        ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, e.partitionKey().getBytes(StandardCharsets.UTF_8), value);
        rec.headers().add(ExchangeCodec.SCHEMA_HEADER, "1".getBytes(StandardCharsets.UTF_8));
        producer.send(rec);
        if (i > 0 && i % 200_000 == 0) {
          System.out.printf("  ... produced %,d%n", i);
        }
      }
      producer.flush();
    }
    return raw;
  }

  static Exchange exchange(SplittableRandom rnd, long startedAt) {
    int kind = rnd.nextInt(100);
    String routingKey = rnd.nextInt(10) < 7 ? "sandbox-" + rnd.nextInt(8) : null;
    String service = rnd.nextInt(10) < 8 ? "orders" : "inventory";
    String id = uuid(rnd);
    String method;
    String path;
    String query = null;
    String reqBody = "";
    int status;
    String respBody;
    if (kind < 25) {
      method = "POST";
      path = "/" + (service.equals("orders") ? "orders" : "items");
      reqBody = order(rnd, null, false);
      status = rnd.nextInt(100) < 85 ? 201 : rnd.nextBoolean() ? 400 : 409;
      respBody = status == 201 ? order(rnd, id, true) : error(rnd, status);
    } else if (kind < 65) {
      method = "GET";
      path = "/" + (service.equals("orders") ? "orders" : "items") + "/" + id;
      status = rnd.nextInt(100) < 90 ? 200 : 404;
      respBody = status == 200 ? order(rnd, id, true) : error(rnd, status);
    } else if (kind < 85) {
      method = "GET";
      path = "/" + (service.equals("orders") ? "orders" : "items");
      query = "page=" + rnd.nextInt(20) + "&size=" + (5 + rnd.nextInt(3));
      status = 200;
      StringBuilder list = new StringBuilder("{\"items\":[");
      int items = 1 + rnd.nextInt(3);
      for (int i = 0; i < items; i++) {
        list.append(i == 0 ? "" : ",").append(order(rnd, uuid(rnd), true));
      }
      respBody = list.append("],\"page\":0,\"size\":").append(items).append(",\"total\":").append(rnd.nextInt(5000)).append('}').toString();
    } else if (kind < 95) {
      method = "PATCH";
      path = "/orders/" + id;
      reqBody = "{\"status\":\"" + (rnd.nextBoolean() ? "PAID" : "SHIPPED") + "\",\"note\":\"" + sentence(rnd, 20 + rnd.nextInt(60)) + "\"}";
      status = rnd.nextInt(100) < 90 ? 200 : 409;
      respBody = status == 200 ? order(rnd, id, true) : error(rnd, status);
    } else {
      method = "DELETE";
      path = "/orders/" + id;
      status = rnd.nextInt(100) < 97 ? 204 : 500;
      respBody = status == 204 ? "" : error(rnd, status);
    }
    if (rnd.nextInt(1000) < 5) {
      status = 503;
      respBody = error(rnd, 503);
    }
    long duration = (long) (2_000 + Math.abs(rnd.nextDouble() * rnd.nextDouble()) * 400_000);
    String traceId = hex(rnd, 32);
    Headers reqHeaders = Headers.of(
        "Host", service + ".svc.cluster.local:8080",
        "User-Agent", "okhttp/4.12.0",
        "Accept", "application/json",
        "Accept-Encoding", "gzip",
        "Content-Type", "application/json",
        "traceparent", "00-" + traceId + "-" + hex(rnd, 16) + "-01",
        "baggage", routingKey == null ? "tenant=acme" : "sd-routing-key=" + routingKey + ",tenant=acme",
        "X-Request-Id", uuid(rnd),
        "Authorization", "[REDACTED]");
    Headers respHeaders = Headers.of(
        "Content-Type", "application/json",
        "Date", "Thu, 26 Nov 2026 10:00:00 GMT",
        "X-Request-Id", uuid(rnd),
        "Server", "orders-service/1.4.2",
        "Cache-Control", "no-store");
    return new Exchange(uuid7(rnd, startedAt / 1000), startedAt, duration, service, "proxy-" + rnd.nextInt(3), routingKey,
        routingKey == null ? Exchange.BASELINE : Exchange.sandboxTarget(routingKey),
        "00-" + traceId + "-" + hex(rnd, 16) + "-01", null,
        new Request(method, "http", service + ".svc.cluster.local:8080", path, query, reqHeaders,
            reqBody.isEmpty() ? Body.empty() : Body.text("application/json", reqBody)),
        new Response(status, respHeaders, respBody.isEmpty() ? Body.empty() : Body.text("application/json", respBody)),
        null, List.of("request.header:authorization"));
  }

  /** An order of 0.5-4 KB. */
  static String order(SplittableRandom rnd, String id, boolean full) {
    StringBuilder b = new StringBuilder(2048);
    b.append('{');
    if (id != null) {
      b.append("\"id\":\"").append(id).append("\",");
    }
    String customer = CUSTOMERS[rnd.nextInt(CUSTOMERS.length)];
    b.append("\"customer\":{\"email\":\"").append(customer).append("\",\"name\":\"").append(cap(WORDS[rnd.nextInt(WORDS.length)]))
        .append(' ').append(cap(WORDS[rnd.nextInt(WORDS.length)])).append("\",\"tier\":\"").append(rnd.nextBoolean() ? "gold" : "standard").append("\"},");
    b.append("\"shippingAddress\":{\"street\":\"").append(1 + rnd.nextInt(300)).append(' ').append(cap(WORDS[rnd.nextInt(WORDS.length)]))
        .append(" Street\",\"city\":\"").append(CITIES[rnd.nextInt(CITIES.length)]).append("\",\"postcode\":\"").append(10000 + rnd.nextInt(89999)).append("\"},");
    b.append("\"items\":[");
    int items = 1 + rnd.nextInt(full ? 12 : 8);
    double total = 0;
    for (int i = 0; i < items; i++) {
      int q = 1 + rnd.nextInt(5);
      double price = Math.round(rnd.nextDouble() * 20000) / 100.0;
      total += q * price;
      b.append(i == 0 ? "" : ",").append("{\"sku\":\"").append(SKUS[rnd.nextInt(SKUS.length)]).append("\",\"name\":\"")
          .append(sentence(rnd, 12 + rnd.nextInt(20))).append("\",\"quantity\":").append(q).append(",\"price\":")
          .append(String.format(Locale.ROOT, "%.2f", price)).append('}');
    }
    b.append("]");
    if (full) {
      b.append(",\"total\":").append(String.format(Locale.ROOT, "%.2f", total)).append(",\"currency\":\"EUR\",\"status\":\"")
          .append(rnd.nextInt(10) < 7 ? "NEW" : "PAID").append("\",\"createdAt\":\"2026-11-26T").append(String.format(Locale.ROOT, "%02d:%02d:%02d.%03dZ", rnd.nextInt(24), rnd.nextInt(60), rnd.nextInt(60), rnd.nextInt(1000)))
          .append("\",\"updatedAt\":\"2026-11-26T").append(String.format(Locale.ROOT, "%02d:%02d:%02d.%03dZ", rnd.nextInt(24), rnd.nextInt(60), rnd.nextInt(60), rnd.nextInt(1000))).append('"');
      if (rnd.nextInt(4) == 0) {
        b.append(",\"notes\":\"").append(sentence(rnd, 60 + rnd.nextInt(400))).append('"');
      }
    }
    return b.append('}').toString();
  }

  static String error(SplittableRandom rnd, int status) {
    String code = switch (status) {
      case 400 -> "validation_failed";
      case 404 -> "not_found";
      case 409 -> "conflict";
      case 503 -> "unavailable";
      default -> "internal";
    };
    String detail = switch (status) {
      case 400 -> "invalid quantity for item " + SKUS[rnd.nextInt(SKUS.length)] + ": must be positive";
      case 404 -> "order does not exist";
      case 409 -> "item " + SKUS[rnd.nextInt(SKUS.length)] + " is out of stock";
      default -> "upstream inventory timed out after 3000 ms";
    };
    return "{\"error\":\"" + code + "\",\"message\":\"" + detail + "\",\"traceId\":\"" + hex(rnd, 32) + "\",\"path\":\"/orders\","
        + "\"fields\":[{\"name\":\"items[0].quantity\",\"reason\":\"" + sentence(rnd, 20 + rnd.nextInt(40)) + "\"}]}";
  }

  static String sentence(SplittableRandom rnd, int chars) {
    StringBuilder b = new StringBuilder(chars + 12);
    while (b.length() < chars) {
      b.append(b.length() == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
    }
    return b.toString();
  }

  static String cap(String w) {
    return Character.toUpperCase(w.charAt(0)) + w.substring(1);
  }

  static String uuid(SplittableRandom rnd) {
    return new UUID((rnd.nextLong() & ~0xF000L) | 0x4000L, (rnd.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
  }

  static String uuid7(SplittableRandom rnd, long millis) {
    long msb = (millis << 16) | 0x7000L | rnd.nextInt(4096);
    return new UUID(msb, (rnd.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
  }

  static String hex(SplittableRandom rnd, int len) {
    StringBuilder b = new StringBuilder(len);
    while (b.length() < len) {
      b.append(Long.toHexString(rnd.nextLong() | Long.MIN_VALUE));
    }
    return b.substring(0, len);
  }

  static long dirSize(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  static String breakdown(Path dir) throws Exception {
    Map<String, Long> byExt = new java.util.TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(Files::isRegularFile).forEach(f -> {
        String name = f.getFileName().toString();
        int dot = name.lastIndexOf('.');
        byExt.merge(dot < 0 ? name : name.substring(dot + 1), f.toFile().length(), Long::sum);
      });
    }
    StringBuilder b = new StringBuilder();
    byExt.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
        .forEach(e -> b.append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.1f MB", e.getValue() / 1e6)).append(", "));
    return b.toString();
  }

  static void deleteTree(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
    } catch (Exception e) {
      return "?";
    }
  }

  static String load() {
    try {
      return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
    } catch (Exception e) {
      return "?";
    }
  }
}
