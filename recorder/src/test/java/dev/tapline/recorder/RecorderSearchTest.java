package dev.tapline.recorder;

import static dev.tapline.recorder.Fixtures.exchange;
import static dev.tapline.recorder.Fixtures.get;
import static dev.tapline.recorder.Fixtures.json;
import static dev.tapline.recorder.Fixtures.q;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecorderSearchTest {
  @TempDir static Path dir;
  static Recorder recorder;
  static URI base;
  static String topic;
  static final List<Exchange> produced = new ArrayList<>();
  // whole seconds, a day ago: well inside the default 7-day retention
  static final long T0 = (dev.tapline.core.Ids.nowMicros() / 1_000_000L - 86_400L) * 1_000_000L;

  @BeforeAll
  static void startRecorderAndProduce() {
    topic = SharedKafka.uniqueTopic("search");
    // 60 orders (sandbox "ann"), 30 users (baseline); a few 5xx, one with a distinctive body
    for (int i = 0; i < 60; i++) {
      int status = i % 20 == 0 ? 503 : i % 7 == 0 ? 404 : 200;
      produced.add(exchange("orders", "ann", i % 3 == 0 ? "POST" : "GET", "/orders/" + (1000 + i), status,
          i % 3 == 0 ? "{\"customer\":\"ann\",\"sku\":\"A-" + i + "\"}" : "",
          "{\"id\":" + (1000 + i) + ",\"status\":\"NEW\",\"total\":12.5}", T0 + i * 1_000_000L));
    }
    for (int i = 0; i < 30; i++) {
      produced.add(exchange("users", null, "GET", "/users/" + i, i == 5 ? 500 : 200, "",
          i == 7 ? "{\"name\":\"zebracorn unique\"}" : "{\"name\":\"bob\"}", T0 + (60 + i) * 1_000_000L));
    }
    Fixtures.produce(topic, produced);
    recorder = Recorder.start(Fixtures.config(topic, dir.resolve("index")).build());
    base = recorder.baseUri();
    await().atMost(Duration.ofSeconds(30)).until(() -> recorder.index().size() == produced.size());
  }

  @AfterAll
  static void stop() {
    recorder.close();
  }

  private static List<String> ids(String query, int limit) {
    // the paging test adds service "late" while it runs; other tests look at the fixed set only
    HttpResponse<String> r = get(base, "/api/exchanges?limit=" + limit + "&q=" + q("(" + query + ") AND NOT service:late"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    json(r).get("items").forEach(n -> out.add(n.get("id").asText()));
    return out;
  }

  private static Set<String> expected(java.util.function.Predicate<Exchange> p) {
    return produced.stream().filter(p).map(Exchange::id).collect(Collectors.toSet());
  }

  @Test
  void producedExchangesBecomeSearchableNewestFirst() {
    HttpResponse<String> r = get(base, "/api/exchanges?limit=5&q=" + q("NOT service:late"));
    JsonNode items = json(r).get("items");
    assertThat(items).hasSize(5);
    Exchange newest = produced.get(produced.size() - 1);
    JsonNode first = items.get(0);
    assertThat(first.get("id").asText()).isEqualTo(newest.id());
    assertThat(first.get("time").asLong()).isEqualTo(newest.startedAt());
    assertThat(first.get("service").asText()).isEqualTo("users");
    assertThat(first.get("method").asText()).isEqualTo("GET");
    assertThat(first.get("path").asText()).isEqualTo("/users/29");
    assertThat(first.get("template").asText()).isEqualTo("/users/{userId}");
    assertThat(first.get("target").asText()).isEqualTo("baseline");
    assertThat(first.get("status").asInt()).isEqualTo(200);
    assertThat(first.get("durationMicros").asLong()).isEqualTo(newest.durationMicros());
    assertThat(first.get("responseSize").asLong()).isEqualTo(newest.response().body().originalSize());
    assertThat(json(r).get("nextCursor").isNull()).isFalse();
  }

  @Test
  void fieldQueriesMatchExactly() {
    assertThat(new HashSet<>(ids("service:users", 100))).isEqualTo(expected(e -> e.service().equals("users")));
    assertThat(new HashSet<>(ids("routingKey:ann", 100))).isEqualTo(expected(e -> "ann".equals(e.routingKey())));
    assertThat(new HashSet<>(ids("target:\"sandbox:ann\"", 100))).hasSize(60);
    assertThat(new HashSet<>(ids("method:post", 100))).isEqualTo(expected(e -> e.request().method().equals("POST")));
    assertThat(ids("path:\"/orders/1042\"", 100)).containsExactly(produced.get(42).id());
    assertThat(ids("template:\"/orders/{orderId}\"", 100)).hasSize(60);
    assertThat(ids("id:" + produced.get(3).id(), 100)).containsExactly(produced.get(3).id());
    assertThat(ids("host:orders.local\\:8080", 100)).hasSize(90);
  }

  @Test
  void numericRangesWork() {
    assertThat(new HashSet<>(ids("status:[500 TO 599]", 100))).isEqualTo(expected(e -> e.status() >= 500));
    assertThat(new HashSet<>(ids("status:5xx", 100))).isEqualTo(expected(e -> e.status() >= 500));
    assertThat(new HashSet<>(ids("status:404", 100))).isEqualTo(expected(e -> e.status() == 404));
    assertThat(new HashSet<>(ids("status:{200 TO *]", 100))).isEqualTo(expected(e -> e.status() > 200));
    long from = T0 + 10 * 1_000_000L;
    long to = T0 + 19 * 1_000_000L;
    assertThat(ids("time:[" + from + " TO " + to + "]", 100)).hasSize(10);
    String isoFrom = java.time.Instant.ofEpochSecond(from / 1_000_000L).toString();
    String isoTo = java.time.Instant.ofEpochSecond(to / 1_000_000L).toString();
    assertThat(ids("time:[" + isoFrom + " TO " + isoTo + "]", 100)).hasSize(10);
    assertThat(ids("time:[now-2d TO now]", 100)).hasSize(90);
    assertThat(ids("duration:[0 TO 999]", 100)).isEmpty();
    assertThat(ids("duration:[1000 TO 2000]", 100)).hasSize(90);
  }

  @Test
  void fullTextSearchesBodiesAndHeaders() {
    assertThat(ids("zebracorn", 100)).containsExactly(produced.get(67).id());
    assertThat(ids("body:\"zebracorn unique\"", 100)).containsExactly(produced.get(67).id());
    assertThat(new HashSet<>(ids("body:customer", 100))).isEqualTo(expected(e -> e.request().method().equals("POST")));
    // ids and numbers are whole terms: found exactly, and by prefix
    assertThat(ids("body:A-3", 100)).containsExactly(produced.get(3).id());
    assertThat(new HashSet<>(ids("body:a-1*", 100)))
        .containsExactlyInAnyOrder(produced.get(12).id(), produced.get(15).id(), produced.get(18).id());
    assertThat(ids("body:12.5", 100)).hasSize(60);
    assertThat(ids("header:\"hello world\"", 100)).hasSize(90);
    assertThat(ids("header:x-trace-note", 100)).hasSize(90);
  }

  @Test
  void combinationsAreAndedUnlessTheQuerySaysOtherwise() {
    assertThat(new HashSet<>(ids("service:orders status:[500 TO 599]", 100)))
        .isEqualTo(expected(e -> e.service().equals("orders") && e.status() >= 500));
    assertThat(new HashSet<>(ids("service:users OR status:404", 100)))
        .isEqualTo(expected(e -> e.service().equals("users") || e.status() == 404));
    assertThat(new HashSet<>(ids("service:orders AND NOT method:GET AND body:ann", 100)))
        .isEqualTo(expected(e -> e.service().equals("orders") && e.request().method().equals("POST")));
  }

  @Test
  void pagingWithCursorsHasNoRepeatsOrGapsWhileNewExchangesArrive() {
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    String query = "time:[* TO " + (T0 + 1_000_000_000L) + "]";
    do {
      HttpResponse<String> r = get(base, "/api/exchanges?limit=7&q=" + q(query) + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode body = json(r);
      body.get("items").forEach(n -> seen.add(n.get("id").asText()));
      cursor = body.get("nextCursor").isNull() ? null : body.get("nextCursor").asText();
      if (pages == 2) {
        // New traffic (newer and older than the cursor) arrives between pages.
        Fixtures.produce(topic, List.of(
            exchange("late", null, "GET", "/late/1", 200, "", "{}", T0 + 200_000_000L),
            exchange("late", null, "GET", "/late/2", 200, "", "{}", Exchange.class.hashCode())));
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.index().size() == produced.size() + 2);
      }
      pages++;
    } while (cursor != null);
    List<String> expectedOrder = new ArrayList<>(produced.stream()
        .sorted((a, b) -> Long.compare(b.startedAt(), a.startedAt())).map(Exchange::id).toList());
    // the late one with an early timestamp sorts at the very end; it is past every cursor so far
    assertThat(seen.subList(0, produced.size())).containsExactlyElementsOf(expectedOrder);
    assertThat(new HashSet<>(seen)).hasSize(seen.size());
  }

  @Test
  void malformedQueryIsA400NamingTheProblemAndWhere() {
    HttpResponse<String> r = get(base, "/api/exchanges?q=" + q("status:[500 TO"));
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode b = json(r);
    assertThat(b.get("error").asText()).isEqualTo("bad_query");
    assertThat(b.get("detail").asText()).contains("position 14");
    assertThat(b.get("position").asInt()).isEqualTo(14);

    HttpResponse<String> r2 = get(base, "/api/exchanges?q=" + q("service:orders AND status:abc"));
    assertThat(r2.statusCode()).isEqualTo(400);
    assertThat(json(r2).get("detail").asText()).contains("status must be a whole number");
    assertThat(json(r2).get("position").asInt()).isEqualTo(26);

    HttpResponse<String> r3 = get(base, "/api/exchanges?q=" + q("(service:orders"));
    assertThat(r3.statusCode()).isEqualTo(400);
    assertThat(json(r3).get("position").asInt()).isEqualTo(15);
  }

  @Test
  void aRegexpWhoseAutomatonWouldTakeMinutesToBuildIsRefusedAtOnce() {
    long start = System.nanoTime();
    HttpResponse<String> r = get(base, "/api/exchanges?q=" + q("path:/[a-z]+{1,999999}/"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode b = json(r);
    assertThat(b.get("error").asText()).isEqualTo("bad_query");
    assertThat(b.get("detail").asText()).contains("{1,999999}", "over 1000");
    assertThat(b.get("position").asInt()).isEqualTo(12);
    assertThat(get(base, "/api/stream?follow=false&q=" + q("path:/[a-z]+{1,999999}/")).statusCode()).isEqualTo(400);
    assertThat(get(base, "/api/export?q=" + q("path:/[a-z]+{1,999999}/")).statusCode()).isEqualTo(400);
  }

  @Test
  void aQueryOverTheLengthLimitIsABadQueryAtTheLimit() {
    HttpResponse<String> r = get(base, "/api/exchanges?q=" + q("body:" + "x".repeat(5000)));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").asText()).isEqualTo("bad_query");
    assertThat(json(r).get("position").asInt()).isEqualTo(4096);
  }

  @Test
  void aParameterThatIsNotUtf8IsABadRequestNamingIt() {
    HttpResponse<String> r = get(base, "/api/exchanges?limit=5&q=abc%FF");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").asText()).isEqualTo("bad_request");
    assertThat(json(r).get("detail").asText()).contains("query parameter 'q'", "%FF");
  }

  @Test
  void aQueryOfAMegabyteIsAJson414NotADroppedConnection() throws Exception {
    String q = "a".repeat(1_000_000);
    String response;
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", base.getPort())) {
      s.getOutputStream().write(("GET /api/exchanges?q=" + q + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      response = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    assertThat(response).startsWith("HTTP/1.1 414").containsIgnoringCase("Content-Type: application/json")
        .contains("\"error\":\"too_long\"");
  }

  @Test
  void badLimitAndCursorAre400s() {
    assertThat(get(base, "/api/exchanges?limit=0").statusCode()).isEqualTo(400);
    assertThat(get(base, "/api/exchanges?limit=abc").statusCode()).isEqualTo(400);
    HttpResponse<String> r = get(base, "/api/exchanges?cursor=garbage!");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").asText()).isEqualTo("bad_cursor");
  }

  @Test
  void oneExchangeIsReturnedWholeAndAnUnknownIdIs404() {
    Exchange e = produced.get(9);
    HttpResponse<String> r = get(base, "/api/exchanges/" + e.id());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(ExchangeCodec.decode(r.body())).isEqualTo(e);
    assertThat(recorder.index().get(e.id())).hasValue(e);

    HttpResponse<String> missing = get(base, "/api/exchanges/0190b8f4-0000-7000-8000-000000000000");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(json(missing).get("error").asText()).isEqualTo("not_found");
  }

  @Test
  void endpointCatalogGroupsByTemplateWithCountsAndPercentiles() {
    JsonNode body = json(get(base, "/api/endpoints?service=orders"));
    JsonNode eps = body.get("endpoints");
    assertThat(eps).hasSize(2);
    JsonNode get = null;
    for (JsonNode n : eps) {
      if (n.get("method").asText().equals("GET")) {
        get = n;
      }
    }
    assertThat(get.get("template").asText()).isEqualTo("/orders/{orderId}");
    assertThat(get.get("count").asLong()).isEqualTo(40);
    List<Exchange> gets = produced.stream().filter(e -> e.service().equals("orders") && e.request().method().equals("GET")).toList();
    assertThat(get.get("firstSeen").asLong()).isEqualTo(gets.get(0).startedAt());
    assertThat(get.get("lastSeen").asLong()).isEqualTo(gets.get(gets.size() - 1).startedAt());
    assertThat(get.get("exampleId").asText()).isEqualTo(gets.get(gets.size() - 1).id());
    long[] d = gets.stream().mapToLong(Exchange::durationMicros).sorted().toArray();
    assertThat(get.get("p50Micros").asLong()).isEqualTo(d[19]);
    assertThat(get.get("p95Micros").asLong()).isEqualTo(d[37]);
    assertThat(get.get("p99Micros").asLong()).isEqualTo(d[39]);
    long s200 = gets.stream().filter(e -> e.status() == 200).count();
    assertThat(get.get("statusCounts").get("200").asLong()).isEqualTo(s200);

    JsonNode baseline = json(get(base, "/api/endpoints?routingKey=")).get("endpoints");
    assertThat(baseline).allSatisfy(n -> assertThat(n.get("service").asText()).isNotEqualTo("orders"));
    assertThat(json(get(base, "/api/endpoints?routingKey=ann")).get("endpoints")).hasSize(2);
  }

  @Test
  void exportStreamsEveryMatchingExchangeAsNdjsonOldestFirst() {
    HttpResponse<String> r = get(base, "/api/export?q=" + q("service:orders"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
    List<Exchange> lines = r.body().lines().map(ExchangeCodec::decode).toList();
    assertThat(lines).containsExactlyElementsOf(produced.stream().filter(e -> e.service().equals("orders")).toList());
    assertThat(get(base, "/api/export?q=" + q("status:[1 TO")).statusCode()).isEqualTo(400);
  }

  @Test
  void unknownPathsAre404sAndOtherMethodsAre405sAsJson() throws Exception {
    HttpResponse<String> r = get(base, "/api/nothing");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r).get("error").asText()).isEqualTo("not_found");
    assertThat(get(base, "/elsewhere").statusCode()).isEqualTo(404);
    assertThat(get(base, "/api/exchanges/a/b").statusCode()).isEqualTo(404);
    HttpResponse<String> post = Fixtures.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/exchanges"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    assertThat(json(post).get("detail").asText()).contains("POST");
  }

  @Test
  void everyResponseCarriesTheSecurityHeaders() {
    for (String path : List.of("/api/exchanges", "/healthz", "/nothing", "/api/exchanges?q=" + q("("))) {
      HttpResponse<String> r = get(base, path);
      assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(dev.tapline.core.http.HttpEdge.CSP);
      assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    }
  }

  @Test
  void healthAndMetricsReportIngestion() {
    HttpResponse<String> h = get(base, "/healthz");
    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(json(h).get("status").asText()).isEqualTo("ok");
    String metrics = get(base, "/metrics").body();
    assertThat(metrics).contains("tapline_recorder_consumed_total", "tapline_recorder_indexed_total",
        "tapline_recorder_dead_lettered_total", "tapline_recorder_consumer_lag",
        "tapline_recorder_index_size_bytes", "tapline_recorder_query_seconds");
  }
}
