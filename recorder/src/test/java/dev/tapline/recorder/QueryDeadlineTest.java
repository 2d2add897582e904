package dev.tapline.recorder;

import static dev.tapline.recorder.Fixtures.exchange;
import static dev.tapline.recorder.Fixtures.get;
import static dev.tapline.recorder.Fixtures.json;
import static dev.tapline.recorder.Fixtures.q;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Exchange;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A query within every static limit can still be costly: here, a disjunction of 224 phrases that the
 * index finds candidates for in every one of 40 large exchanges and none of which stands in any of
 * them, so each exchange is read and analyzed 224 times (tens of seconds of CPU). Searches and
 * export pages stop at the query timeout (2 s here), live-stream looks at a second of it, and only
 * so many of each run at once.
 */
class QueryDeadlineTest {
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  static final List<String> WORDS = IntStream.range(0, 16).mapToObj(i -> "w" + (char) ('a' + i)).toList();
  /** Every ordered pair of different words that never stand next to each other in a big body. */
  static final String SLOW = IntStream.range(0, WORDS.size() * WORDS.size())
      .filter(p -> p / WORDS.size() != p % WORDS.size() && (p / WORDS.size() + 1) % WORDS.size() != p % WORDS.size())
      .mapToObj(p -> "\"" + WORDS.get(p / WORDS.size()) + " " + WORDS.get(p % WORDS.size()) + "\"")
      .collect(Collectors.joining(" OR "));
  static final long T0 = (dev.tapline.core.Ids.nowMicros() / 1_000_000L - 3_600L) * 1_000_000L;

  @TempDir static Path dir;
  static Recorder recorder;
  static URI base;
  static String topic;
  static int produced;

  @BeforeAll
  static void start() {
    assertThat(SLOW.length()).isLessThan(QueryLimits.MAX_QUERY_CHARS);
    topic = SharedKafka.uniqueTopic("deadline");
    List<Exchange> exchanges = new ArrayList<>();
    // The oldest are small and quick to match; an export finds its first page among them.
    for (int i = 0; i < 300; i++) {
      exchanges.add(exchange("fast", null, "GET", "/fast/" + i, 200, "", "{\"n\":" + i + "}", T0 + i * 1_000L));
    }
    exchanges.addAll(big(40, T0 + 1_000_000L));
    Fixtures.produce(topic, exchanges);
    produced = exchanges.size();
    recorder = Recorder.start(Fixtures.config(topic, dir.resolve("index"))
        .queryTimeout(TIMEOUT)
        .maxSearches(1)
        .maxExports(1)
        .maxStreams(1)
        .build());
    base = recorder.baseUri();
    await().atMost(Duration.ofSeconds(60)).until(() -> recorder.index().size() == produced);
  }

  /** Exchanges whose 256 KB response bodies hold every word, always in the same cycle. */
  static List<Exchange> big(int n, long from) {
    String body = String.join(" ", WORDS).repeat(256 * 1024 / 48);
    List<Exchange> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(exchange("big", null, "GET", "/big/" + i, 200, "", body, from + i * 1_000L));
    }
    return out;
  }

  @AfterAll
  static void stop() {
    recorder.close();
  }

  @BeforeEach
  void nothingRuns() {
    await().atMost(Duration.ofSeconds(10))
        .until(() -> active("search") == 0 && active("export") == 0 && active("stream") == 0);
  }

  static double metric(String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(recorder.metricsText());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  static int active(String kind) {
    return (int) metric("tapline_recorder_requests_active{kind=\"" + kind + "\"}");
  }

  @Test
  void aSearchThatRunsPastTheQueryTimeoutIsStoppedAndAnswered503() {
    double before = metric("tapline_recorder_query_timeouts_total");
    long start = System.nanoTime();
    HttpResponse<String> r = get(base, "/api/exchanges?q=" + q(SLOW));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    JsonNode b = json(r);
    assertThat(b.get("error").asText()).isEqualTo("query_timeout");
    assertThat(b.get("detail").asText()).contains("more than 2 s", "narrow the query");
    assertThat(b.get("timeoutMillis").asLong()).isEqualTo(TIMEOUT.toMillis());
    assertThat(ms).isLessThan(TIMEOUT.toMillis() + 3_000);
    assertThat(metric("tapline_recorder_query_timeouts_total")).isEqualTo(before + 1);
    // A count runs under the same deadline; a cheap query over the same exchanges still answers.
    assertThatThrownBy(() -> recorder.index().count(SLOW)).isInstanceOf(QueryTimeoutException.class);
    assertThat(get(base, "/api/exchanges?q=" + q("service:big AND wa")).statusCode()).isEqualTo(200);
  }

  /**
   * The JDK's server says nothing when a client goes away, so a search is stopped not by that but
   * by its deadline: it stops working at most that long after it started. Its work is counted (the
   * stored exchanges it reads to confirm phrases) and so is the CPU of the threads it runs on.
   */
  @Test
  void aSearchStopsWorkingSoonAfterItsClientLeaves() throws Exception {
    long leftAt;
    try (Socket client = new Socket("127.0.0.1", base.getPort())) {
      OutputStream out = client.getOutputStream();
      out.write(("GET /api/exchanges?q=" + q(SLOW) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      double before = confirmations();
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
          .until(() -> active("search") == 1 && confirmations() > before);
      leftAt = System.nanoTime();
    }
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> active("search") == 0);
    long stoppedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - leftAt);
    assertThat(stoppedAfter).isLessThan(TIMEOUT.toMillis() + 1_000);
    double stopped = confirmations();
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> confirmations() == stopped);
    assertThat(carrierCpuMillis(Duration.ofMillis(500))).isLessThan(100);
  }

  static double confirmations() {
    return metric("tapline_recorder_phrase_confirmations_total");
  }

  /**
   * CPU used by the virtual threads' carriers (the HTTP handlers run on virtual threads) over the
   * next {@code window}: a measurement over a span of time, hence the sleep.
   */
  static long carrierCpuMillis(Duration window) throws InterruptedException {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long before = carrierCpuNanos(mx);
    Thread.sleep(window.toMillis());
    return TimeUnit.NANOSECONDS.toMillis(carrierCpuNanos(mx) - before);
  }

  private static long carrierCpuNanos(ThreadMXBean mx) {
    long total = 0;
    for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t != null && t.getThreadName().matches("ForkJoinPool-\\d+-worker-\\d+")) {
        total += Math.max(0, mx.getThreadCpuTime(t.getThreadId()));
      }
    }
    return total;
  }

  @Test
  void anExportWhoseFirstPageRunsPastTheTimeoutIsA503() {
    HttpResponse<String> r = get(base, "/api/export?q=" + q(SLOW));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(json(r).get("error").asText()).isEqualTo("query_timeout");
  }

  @Test
  void anExportWhoseLaterPageRunsPastTheTimeoutIsCutOffNotEndedAsIfComplete() {
    // Page one is 256 of the small exchanges; page two has to confirm the phrases in the big ones.
    long start = System.nanoTime();
    assertThatThrownBy(() -> get(base, "/api/export?q=" + q("service:fast OR " + SLOW)))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(TIMEOUT.toMillis() + 5_000);
    assertThat(get(base, "/api/export?q=" + q("service:fast")).body().lines()).hasSize(300);
  }

  @Test
  void aLiveStreamWhoseFirstLookRunsPastItsDeadlineIsA503() {
    HttpResponse<String> r = get(base, "/api/stream?follow=false&q=" + q(SLOW), "Last-Event-ID", "@-1");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(json(r).get("error").asText()).isEqualTo("query_timeout");
  }

  @Test
  void aFollowingLiveStreamWhoseFilterLaterRunsPastItsDeadlineEndsWithAnErrorEvent() throws Exception {
    HttpRequest req = HttpRequest.newBuilder(base.resolve("/api/stream?q=" + q(SLOW))).build();
    HttpResponse<InputStream> r = Fixtures.HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> {
      List<String> read = new ArrayList<>();
      try (BufferedReader br = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        for (String line = br.readLine(); line != null; line = br.readLine()) {
          read.add(line);
        }
      } catch (java.io.IOException e) {
        throw new UncheckedIOException(e);
      }
      return read;
    });
    // New big exchanges: the next look has phrases to confirm in each of them.
    Fixtures.produce(topic, big(20, T0 + 2_000_000L));
    produced += 20;
    List<String> read = lines.get(30, TimeUnit.SECONDS);
    assertThat(read).contains("event: error");
    String data = read.get(read.indexOf("event: error") + 1);
    assertThat(data).startsWith("data: ").contains("\"error\":\"query_timeout\"", "narrow the stream's filter");
    await().atMost(Duration.ofSeconds(30)).until(() -> recorder.index().size() == produced);
  }

  @Test
  void searchesPastTheCapAreRefusedWith429AndRetryAfter() throws Exception {
    CompletableFuture<HttpResponse<String>> slow = Fixtures.HTTP.sendAsync(
        HttpRequest.newBuilder(base.resolve("/api/exchanges?q=" + q(SLOW))).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> active("search") == 1);
    HttpResponse<String> refused = get(base, "/api/exchanges?q=" + q("service:fast"));
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(json(refused).get("error").asText()).isEqualTo("too_many_requests");
    assertThat(json(refused).get("detail").asText()).contains("as many searches", "(1, set with --max-searches)");
    assertThat(get(base, "/api/endpoints").statusCode()).as("the catalog counts as a search").isEqualTo(429);
    assertThat(get(base, "/api/exchanges/" + "0190b8f4-0000-7000-8000-000000000000").statusCode())
        .as("one exchange by id is not a search").isEqualTo(404);
    assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
    assertThat(get(base, "/api/exchanges?q=" + q("service:fast")).statusCode()).isEqualTo(200);
    assertThat(metric("tapline_recorder_requests_rejected_total{kind=\"search\"}")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void exportsPastTheCapAreRefusedWith429() throws Exception {
    CompletableFuture<HttpResponse<String>> slow = Fixtures.HTTP.sendAsync(
        HttpRequest.newBuilder(base.resolve("/api/export?q=" + q(SLOW))).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> active("export") == 1);
    HttpResponse<String> refused = get(base, "/api/export?q=" + q("service:fast"));
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(json(refused).get("detail").asText()).contains("--max-exports");
    assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
    assertThat(get(base, "/api/export?q=" + q("service:fast")).statusCode()).isEqualTo(200);
  }

  @Test
  void liveStreamsPastTheCapAreRefusedWith429(@TempDir Path own) throws Exception {
    // A recorder of its own: a following stream whose client left holds its place until a write
    // fails (the next heartbeat), and this one is closed with the recorder.
    String t = SharedKafka.uniqueTopic("stream-cap");
    try (Recorder r = Recorder.start(Fixtures.config(t, own).maxStreams(1).build())) {
      HttpResponse<InputStream> open = Fixtures.HTTP.send(HttpRequest.newBuilder(r.baseUri().resolve("/api/stream")).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(open.statusCode()).isEqualTo(200);
      HttpResponse<String> refused = get(r.baseUri(), "/api/stream?follow=false");
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(json(refused).get("detail").asText()).contains("--max-streams");
      open.body().close();
    }
  }
}
