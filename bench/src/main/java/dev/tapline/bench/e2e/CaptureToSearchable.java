// Capture-to-searchable and capture-to-live latency: how long after a response reaches the client
// its exchange can be found through the recorder's search API, and how long until it reaches a
// live-stream client. Run by bench/e2e/run.sh against `tapline up --demo`; JDK only. Sends a steady
// load of requests with unique paths through the proxy and notes when each path first shows up to
// each of up to three observers (MODES, comma-separated; default all three):
//   search  a poller reads /api/exchanges every POLL_MS, newest first, following the cursor until it
//           reaches exchanges it has already seen;
//   stream  one /api/stream response that follows the tail (what curl -N and EventSource read);
//   view    /api/stream?follow=false asked again as its retry: field says, from the position its last
//           answer ended at: what the UI's Live view does.
// The first WARM_UP seconds of load use another routing key and are not measured (a freshly started
// JVM compiles its hot paths then).
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
      System.err.println("usage: CaptureToSearchable PROXY_URL RECORDER_URL [RPS] [SECONDS] [WARM_UP_SECONDS] [MODES]");
      System.exit(2);
    }
    String proxy = args[0];
    String recorder = args[1];
    int rps = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    int warmUp = args.length > 4 ? Integer.parseInt(args[4]) : WARM_UP;
    java.util.Set<String> modes = java.util.Set.of((args.length > 5 ? args[5] : "search,stream,view").split(","));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    Map<String, Long> seenAt = new ConcurrentHashMap<>();
    Map<String, Long> streamedAt = new ConcurrentHashMap<>();
    Map<String, Long> viewedAt = new ConcurrentHashMap<>();
    String run = UUID.randomUUID().toString().substring(0, 8);
    Pattern path = Pattern.compile("\"path\":\"(/orders/lat-" + run + "-[0-9]+)\"");
    String streamQuery = recorder + "/api/stream?q=routingKey:latency-" + run;
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    if (modes.contains("stream")) {
      Thread.ofPlatform().daemon().name("stream").start(() -> follow(http, streamQuery, path, streamedAt, done));
    }
    if (modes.contains("view")) {
      Thread.ofPlatform().daemon().name("view").start(() -> view(http, streamQuery + "&follow=false", path, viewedAt, done));
    }
    Metrics before = Metrics.read(http, recorder);

    var poller = Executors.newSingleThreadScheduledExecutor();
    if (modes.contains("search")) poller.scheduleWithFixedDelay(() -> {
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
    Metrics sent = Metrics.read(http, recorder);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline
        && ((modes.contains("search") && seenAt.size() < sentAt.size())
            || (modes.contains("stream") && streamedAt.size() < sentAt.size())
            || (modes.contains("view") && viewedAt.size() < sentAt.size()))) {
      Thread.sleep(100);
    }
    done.set(true);
    poller.shutdownNow();
    System.out.printf("%d requests at %d/s for %ds after %ds of warm-up%n", sentAt.size(), rps, seconds, warmUp);
    System.out.printf("  the recorder's indexing paused for %.1f s of the %d s of sending (it yields to busy CPUs)%n",
        sent.paused - before.paused, seconds);
    int rc = 0;
    if (modes.contains("search")) {
      rc |= report("capture-to-searchable (poll every " + POLL_MS + " ms)", sentAt, seenAt, start);
    }
    if (modes.contains("stream")) {
      rc |= report("capture-to-live-stream (one following /api/stream response)", sentAt, streamedAt, start);
    }
    if (modes.contains("view")) {
      rc |= report("capture-to-live-view (/api/stream?follow=false asked as retry: says, as the UI does)", sentAt, viewedAt, start);
    }
    System.exit(rc);
  }

  /** Prints the percentiles of seen - sent, and the worst per second of sending; 1 when nothing was seen. */
  static int report(String what, Map<String, Long> sentAt, Map<String, Long> seenAt, long start) {
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
    System.out.printf("%s: %d seen, %d missing%n", what, ms.size(), sentAt.size() - ms.size());
    if (ms.isEmpty()) {
      return 1;
    }
    System.out.printf("  p50 %.0f ms   p95 %.0f ms   p99 %.0f ms   max %.0f ms%n",
        pct(ms, 50), pct(ms, 95), pct(ms, 99), ms.get(ms.size() - 1));
    StringBuilder line = new StringBuilder("  worst per second of sending (ms):");
    worst.values().forEach(v -> line.append(' ').append(Math.round(v)));
    System.out.println(line);
    return 0;
  }

  /** One following stream response; reconnects from the last id if it ends. */
  static void follow(HttpClient http, String url, Pattern path, Map<String, Long> seenAt,
      java.util.concurrent.atomic.AtomicBoolean done) {
    String last = null;
    while (!done.get()) {
      try {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url));
        if (last != null) {
          req.header("Last-Event-ID", last);
        }
        var r = http.send(req.build(), HttpResponse.BodyHandlers.ofLines());
        var it = r.body().iterator();
        while (!done.get() && it.hasNext()) {
          String line = it.next();
          if (line.startsWith("id: ")) {
            last = line.substring(4);
          } else if (line.startsWith("data: ")) {
            long now = System.nanoTime();
            Matcher m = path.matcher(line);
            if (m.find()) {
              seenAt.putIfAbsent(m.group(1), now);
            }
          }
        }
      } catch (Exception e) {
        sleepQuietly(100);
      }
    }
  }

  /** What the UI's Live view does: follow=false, asked again after retry: ms from where the last answer ended. */
  static void view(HttpClient http, String url, Pattern path, Map<String, Long> seenAt,
      java.util.concurrent.atomic.AtomicBoolean done) {
    String position = null;
    long retry = 500;
    while (!done.get()) {
      try {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url));
        if (position != null) {
          req.header("Last-Event-ID", position);
        }
        String body = http.send(req.build(), HttpResponse.BodyHandlers.ofString()).body();
        long now = System.nanoTime();
        for (String line : body.split("\n")) {
          if (line.startsWith("id: ")) {
            position = line.substring(4);
          } else if (line.startsWith("retry: ")) {
            retry = Long.parseLong(line.substring(7).trim());
          } else if (line.startsWith("data: ")) {
            Matcher m = path.matcher(line);
            if (m.find()) {
              seenAt.putIfAbsent(m.group(1), now);
            }
          }
        }
      } catch (Exception e) {
        // ask again
      }
      sleepQuietly(retry);
    }
  }

  static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A few of the recorder's counters from /metrics. */
  record Metrics(double paused) {
    static final Pattern PAUSED = Pattern.compile("(?m)^tapline_recorder_paused_seconds_total(?:\\{[^}]*\\})? ([0-9.eE+-]+)");

    static Metrics read(HttpClient http, String recorder) {
      try {
        String text = http.send(HttpRequest.newBuilder(URI.create(recorder + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        Matcher p = PAUSED.matcher(text);
        return new Metrics(p.find() ? Double.parseDouble(p.group(1)) : 0);
      } catch (Exception e) {
        return new Metrics(0);
      }
    }
  }

  static final Pattern NEXT = Pattern.compile("\"nextCursor\":\"([^\"]+)\"");

  static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
