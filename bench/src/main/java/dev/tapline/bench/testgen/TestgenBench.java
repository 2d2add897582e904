package dev.tapline.bench.testgen;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.ExchangeReader;
import dev.tapline.core.Headers;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import dev.tapline.testgen.GenerationResult;
import dev.tapline.testgen.GeneratorOptions;
import dev.tapline.testgen.TestGenerator;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Test generation benchmark: N synthetic exchanges over E endpoints (40 resources x 5 operations),
 * written to an NDJSON file first (not timed), then read, inferred, generated and written to disk
 * the way `tapline generate --from FILE` does. Prints time, peak heap and tests written.
 *
 * Run: bench/testgen/run.sh [exchanges] (defaults to 100000; the script sets -Xmx512m).
 */
public class TestgenBench {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int resources = 40; // x 5 operations = 200 endpoints
    Path dir = Files.createTempDirectory("testgen-bench");
    Path input = dir.resolve("traffic.ndjson");
    Random random = new Random(42);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(input), 1 << 16)) {
      for (int i = 0; i < n; i++) {
        ExchangeCodec.write(synthetic(i, random, resources), out);
        out.write('\n');
      }
    }
    long inputBytes = Files.size(input);
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
    System.gc();
    var threads = ManagementFactory.getThreadMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime();
    long gcStart = gcMillis();
    long start = System.nanoTime();
    GenerationResult result;
    try (ExchangeReader source = ExchangeReader.open(input.toString(), null)) {
      result = TestGenerator.create(GeneratorOptions.builder("com.example.bench").sourceName("traffic.ndjson").build())
          .generate(source, null);
    }
    List<Path> written = TestGenerator.write(result, dir.resolve("out"));
    long millis = (System.nanoTime() - start) / 1_000_000;
    long cpuMillis = (threads.getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
    long gc = gcMillis() - gcStart;
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    System.out.printf("exchanges:        %d (%.1f MiB NDJSON)%n", result.exchangesRead(), inputBytes / 1048576.0);
    System.out.printf("endpoints:        %d%n", result.endpoints().size());
    System.out.printf("tests written:    %d in %d files (%d schemas)%n", result.scenariosWritten(), written.size(),
        written.stream().filter(p -> p.toString().endsWith(".json")).count());
    System.out.printf("time:             %.2f s (%.0f exchanges/s)%n", millis / 1000.0, n * 1000.0 / Math.max(1, millis));
    System.out.printf("cpu (main thread): %.2f s; gc: %.2f s; load average at end: %.1f%n", cpuMillis / 1000.0,
        gc / 1000.0, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf("peak heap used:   %.0f MiB (max heap %d MiB)%n", peak / 1048576.0,
        Runtime.getRuntime().maxMemory() / 1048576);
    System.out.printf("java:             %s%n", System.getProperty("java.version"));
  }

  private static long gcMillis() {
    long total = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  static Exchange synthetic(int i, Random random, int resources) {
    String resource = "res" + (i % resources) + "s";
    int op = (i / resources) % 5;
    String id = new UUID(random.nextLong(), random.nextLong()).toString();
    long started = 1_764_000_000_000_000L + i * 1000L;
    String ts = java.time.Instant.ofEpochSecond(started / 1_000_000).toString();
    String entity = "{\"id\":\"" + id + "\",\"name\":\"item " + random.nextInt(1000) + "\",\"owner\":\"u"
        + random.nextInt(50) + "@example.com\",\"amount\":" + random.nextInt(10_000) / 100.0
        + ",\"tags\":[\"a\",\"b" + random.nextInt(5) + "\"],\"active\":" + random.nextBoolean()
        + ",\"note\":" + (random.nextInt(4) == 0 ? "null" : "\"n" + random.nextInt(9) + "\"")
        + ",\"createdAt\":\"" + ts + "\",\"kind\":\"" + resource + "\"}";
    String method;
    String path;
    String reqBody = null;
    int status;
    String respBody;
    switch (op) {
      case 0 -> {
        method = "POST";
        path = "/api/v1/" + resource;
        reqBody = "{\"name\":\"item " + random.nextInt(1000) + "\",\"amount\":" + random.nextInt(10_000) / 100.0 + "}";
        status = random.nextInt(20) == 0 ? 400 : 201;
        respBody = status == 201 ? entity : "{\"error\":\"validation_failed\",\"message\":\"name is required\"}";
      }
      case 1 -> {
        method = "GET";
        path = "/api/v1/" + resource;
        status = 200;
        respBody = "{\"items\":[" + entity + "," + entity + "],\"page\":0,\"size\":20,\"total\":" + random.nextInt(500) + "}";
      }
      case 2 -> {
        method = "GET";
        path = "/api/v1/" + resource + "/" + id;
        status = random.nextInt(10) == 0 ? 404 : 200;
        respBody = status == 200 ? entity : "{\"error\":\"not_found\",\"message\":\"no " + id + "\"}";
      }
      case 3 -> {
        method = "PATCH";
        path = "/api/v1/" + resource + "/" + id;
        reqBody = "{\"active\":" + random.nextBoolean() + "}";
        status = 200;
        respBody = entity;
      }
      default -> {
        method = "DELETE";
        path = "/api/v1/" + resource + "/" + id;
        status = 204;
        respBody = null;
      }
    }
    Body req = reqBody == null ? Body.empty() : Body.text("application/json", reqBody);
    Body resp = respBody == null ? Body.empty() : Body.text("application/json", respBody);
    return new Exchange(String.format("01a2%028x", i), started, 900, "svc" + (i % 4), "bench", null, "baseline",
        null, null,
        new Request(method, "http", "bench.local", path, op == 1 ? "page=0&size=20" : null,
            Headers.of("Content-Type", "application/json", "Authorization", "[REDACTED]"), req),
        new Response(status, Headers.of("Content-Type", "application/json"), resp), null, List.of());
  }
}
