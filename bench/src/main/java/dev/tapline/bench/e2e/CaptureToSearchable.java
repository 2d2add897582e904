// Capture-to-searchable latency: how long after a response reaches the client its exchange can be
// found through the recorder's search API. Run by bench/e2e/run.sh against `tapline up --demo`;
// JDK only. Sends a steady load of requests with unique paths through the proxy; a poller reads
// /api/exchanges every POLL_MS, newest first, following the cursor until it reaches exchanges it has
// already seen, and notes when each path first shows up. The first WARM_UP seconds of load use
// another routing key and are not measured (a freshly started JVM compiles its hot paths then).
package dev.tapline.bench.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class CaptureToSearchable {
  static final int POLL_MS = 20;
  static final int WARM_UP = 15;

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: CaptureToSearchable PROXY_URL RECORDER_URL [RPS] [SECONDS] [WARM_UP_SECONDS]");
      System.exit(2);
    }
    String proxy = args[0];
    String recorder = args[1];
    int rps = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    int warmUp = args.length > 4 ? Integer.parseInt(args[4]) : WARM_UP;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    Map<String, Long> seenAt = new ConcurrentHashMap<>();
    String run = UUID.randomUUID().toString().substring(0, 8);
    Pattern path = Pattern.compile("\"path\":\"(/orders/lat-" + run + "-[0-9]+)\"");

    var poller = Executors.newSingleThreadScheduledExecutor();
    poller.scheduleWithFixedDelay(() -> {
      try {
        String cursor = null;
        for (int page = 0; page < 50; page++) {
          String url = recorder + "/api/exchanges?limit=200&q=routingKey:latency-" + run
              + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8));
          var r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
          long now = System.nanoTime();
          Matcher m = path.matcher(r.body());
          boolean anyNew = false;
          while (m.find()) {
            anyNew |= seenAt.putIfAbsent(m.group(1), now) == null;
          }
          Matcher c = NEXT.matcher(r.body());
          if (!anyNew || !c.find()) {
            break; // newest first: past the first page of nothing new, everything was seen before
          }
          cursor = c.group(1);
        }
      } catch (Exception e) {
        // keep polling
      }
    }, 0, POLL_MS, TimeUnit.MILLISECONDS);

    var senders = Executors.newFixedThreadPool(8);
    if (warmUp > 0) {
      long w0 = System.nanoTime();
      for (int i = 0; i < rps * warmUp; i++) {
        long wait = w0 + i * (1_000_000_000L / rps) - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        String p = "/orders/warm-" + run + "-" + i;
        senders.submit(() -> {
          try {
            http.send(HttpRequest.newBuilder(URI.create(proxy + p)).header("baggage", "sd-routing-key=warm-" + run).build(),
                HttpResponse.BodyHandlers.discarding());
          } catch (Exception e) {
            // warm-up only
          }
        });
      }
    }
    long start = System.nanoTime();
    long intervalNanos = 1_000_000_000L / rps;
    int total = rps * seconds;
    for (int i = 0; i < total; i++) {
      long due = start + i * intervalNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      String p = "/orders/lat-" + run + "-" + i;
      senders.submit(() -> {
        try {
          http.send(HttpRequest.newBuilder(URI.create(proxy + p)).header("baggage", "sd-routing-key=latency-" + run).build(),
              HttpResponse.BodyHandlers.discarding());
          sentAt.put(p, System.nanoTime());
        } catch (Exception e) {
          // counted as missing below
        }
      });
    }
    senders.shutdown();
    senders.awaitTermination(60, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (seenAt.size() < sentAt.size() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    poller.shutdownNow();
    List<Double> ms = new ArrayList<>();
    for (var e : sentAt.entrySet()) {
      Long seen = seenAt.get(e.getKey());
      if (seen != null) {
        ms.add(Math.max(0, seen - e.getValue()) / 1e6);
      }
    }
    // The worst latency per second of sending shows whether the tail is steady or a catch-up.
    java.util.TreeMap<Long, Double> worst = new java.util.TreeMap<>();
    for (var e : sentAt.entrySet()) {
      Long seen = seenAt.get(e.getKey());
      if (seen != null) {
        worst.merge((e.getValue() - start) / 1_000_000_000L, Math.max(0, seen - e.getValue()) / 1e6, Math::max);
      }
    }
    Collections.sort(ms);
    if (ms.isEmpty()) {
      System.out.println("no exchange became searchable");
      System.exit(1);
    }
    System.out.printf("capture-to-searchable: %d requests at %d/s for %ds after %ds of warm-up, %d searchable, %d missing%n",
        sentAt.size(), rps, seconds, warmUp, ms.size(), sentAt.size() - ms.size());
    System.out.printf("  p50 %.0f ms   p95 %.0f ms   p99 %.0f ms   max %.0f ms   (poll every %d ms)%n",
        pct(ms, 50), pct(ms, 95), pct(ms, 99), ms.get(ms.size() - 1), POLL_MS);
    StringBuilder line = new StringBuilder("  worst per second of sending (ms):");
    worst.values().forEach(v -> line.append(' ').append(Math.round(v)));
    System.out.println(line);
  }

  static final Pattern NEXT = Pattern.compile("\"nextCursor\":\"([^\"]+)\"");

  static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
