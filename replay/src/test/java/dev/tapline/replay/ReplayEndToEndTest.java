package dev.tapline.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.Exchange;
import dev.tapline.examples.OrdersService;
import dev.tapline.proxy.CapturePolicy;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ExchangeSink;
import dev.tapline.proxy.ProxyConfig;
import dev.tapline.replay.DriftReport.Difference;
import dev.tapline.replay.DriftReport.EndpointReport;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays traffic recorded from a real orders service (V1) against real baseline and sandbox
 * instances: V1 against V1 must be quiet, V1 against the contract-changed V2 must be drift.
 */
class ReplayEndToEndTest {
  static final Set<String> WITH_POST = Set.of("GET", "HEAD", "OPTIONS", "POST");
  static final String HOSTILE = "<script>alert('tapline')</script>";
  static final List<String> ORDERS = List.of(
      "{\"customer\":\"ann\",\"items\":[{\"sku\":\"A-1\",\"quantity\":2,\"price\":9.99}]}",
      "{\"customer\":\"bob\",\"items\":[{\"sku\":\"B-7\",\"quantity\":1,\"price\":4.5},{\"sku\":\"C-42\",\"quantity\":1,\"price\":120.0}]}",
      "{\"customer\":\"" + HOSTILE.replace("'", "'") + "\",\"items\":[{\"sku\":\"D-3\",\"quantity\":5,\"price\":0.99}]}");
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static OrdersService recordedFrom;
  static OrdersService baseline;
  static OrdersService otherBaseline;
  static OrdersService sandboxV2;
  static List<Exchange> recorded;
  static Path ndjson;

  @BeforeAll
  static void recordTrafficAndStartServices() throws Exception {
    recordedFrom = OrdersService.start(OrdersService.Version.V1, 0);
    Recording rec = new Recording(recordedFrom.baseUri());
    List<String> ids = new ArrayList<>();
    for (String body : ORDERS) {
      ids.add(JSON.readTree(rec.call("POST", "/orders", body)).get("id").asText());
    }
    for (String id : ids) {
      rec.call("GET", "/orders/" + id, null);
    }
    rec.call("GET", "/orders?page=0&size=100", null);
    rec.call("HEAD", "/orders?page=0&size=100", null);
    rec.call("GET", "/orders/" + UUID.randomUUID(), null);
    rec.call("PATCH", "/orders/" + ids.get(0), "{\"status\":\"PAID\"}");
    recorded = rec.exchanges();
    ndjson = Recording.writeNdjson(recorded, dir.resolve("exchanges.ndjson"));

    baseline = seeded(OrdersService.Version.V1);
    otherBaseline = seeded(OrdersService.Version.V1);
    sandboxV2 = seeded(OrdersService.Version.V2);
  }

  @AfterAll
  static void stopServices() {
    for (OrdersService s : new OrdersService[] {recordedFrom, baseline, otherBaseline, sandboxV2}) {
      if (s != null) {
        s.close();
      }
    }
  }

  /** Same data as the recording had, under other ids and timestamps. */
  static OrdersService seeded(OrdersService.Version v) throws Exception {
    OrdersService s = OrdersService.start(v, 0);
    Recording seed = new Recording(s.baseUri());
    for (String body : ORDERS) {
      seed.call("POST", "/orders", body);
    }
    return s;
  }

  static DriftReport replay(ReplayOptions options) {
    try (ExchangeSource src = ExchangeSource.file(ndjson)) {
      return Replayer.create(options).replay(src, ReplayListener.none());
    }
  }

  @Test
  void baselineAgainstAnotherBaselineIsQuietInThreeRunsAlthoughIdsAndTimestampsDiffer() {
    for (int run = 1; run <= 3; run++) {
      DriftReport r = replay(ReplayOptions.builder()
          .baselineAndSandbox(baseline.baseUri(), otherBaseline.baseUri()).methods(WITH_POST).build());
      assertThat(r.exitCode()).as("run " + run).isZero();
      assertThat(r.verdict()).isInstanceOf(DriftReport.Pass.class);
      assertThat(r.endpoints()).as("run " + run).allSatisfy(ep -> assertThat(ep.differences()).isEmpty());
      assertThat(r.counts().breaking() + r.counts().compatible()).isZero();
      assertThat(r.counts().exchanges()).isEqualTo(recorded.size() - 1);
      assertThat(r.skipped()).as("the PATCH is not replayed").isEqualTo(1);
      EndpointReport post = endpoint(r, "POST /orders");
      assertThat(post.ignored()).extracting(DriftReport.Ignored::path).contains("$.id", "$.createdAt", "$.updatedAt");
      assertThat(endpoint(r, "GET /orders").ignored()).extracting(DriftReport.Ignored::path).contains("$.total");
    }
  }

  @Test
  void contractChangedSandboxIsDriftWithEveryChangeListedByPathAndClass() {
    DriftReport r = replay(ReplayOptions.builder()
        .baselineAndSandbox(baseline.baseUri(), sandboxV2.baseUri()).methods(WITH_POST).build());
    assertV2Drift(r);
  }

  @Test
  void targetModeSendsTheRoutingKeyOnlyOnTheSandboxSideAndFindsTheSameDrift() throws Exception {
    try (RoutingProxy proxy = new RoutingProxy(baseline.baseUri(), Map.of("pr-7", sandboxV2.baseUri()))) {
      DriftReport r = replay(ReplayOptions.builder()
          .target(proxy.uri(), "pr-7").methods(WITH_POST).addHeader("Authorization", "Bearer real-token").build());
      assertV2Drift(r);
      assertThat(r.routingKey()).isEqualTo("pr-7");

      List<RoutingProxy.Seen> sandboxSide = proxy.seen.stream().filter(s -> "pr-7".equals(s.routingKey())).toList();
      List<RoutingProxy.Seen> baselineSide = proxy.seen.stream().filter(s -> s.routingKey() == null).toList();
      assertThat(proxy.seen).hasSize(sandboxSide.size() + baselineSide.size());
      assertThat(baselineSide).hasSize(2 * sandboxSide.size());
      assertThat(sandboxSide).hasSize(recorded.size() - 1).allSatisfy(s -> {
        assertThat(s.headers().get("baggage")).singleElement().asString()
            .contains("sd-routing-key=pr-7").contains("tenant=acme");
        assertThat(s.headers().get("sd-routing-key")).containsExactly("pr-7");
      });
      assertThat(baselineSide).allSatisfy(s -> {
        assertThat(s.headers()).doesNotContainKey("sd-routing-key");
        assertThat(s.headers().get("baggage")).containsExactly("tenant=acme");
      });
      assertThat(proxy.seen).allSatisfy(s ->
          assertThat(s.headers().get("authorization")).as("recorded credentials are never replayed").containsExactly("Bearer real-token"));
    }
  }

  @Test
  void targetModeThroughTheRealCaptureProxyFindsTheContractChangeAndStaysQuietForAnotherBaseline() {
    List<Exchange> captured = new CopyOnWriteArrayList<>();
    try (CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder()
        .service("orders")
        .listen("127.0.0.1", 0)
        .baseline(baseline.baseUri())
        .sandbox("pr-9", sandboxV2.baseUri())
        .sandbox("same", otherBaseline.baseUri())
        .capture(CapturePolicy.ALL)
        .sink(ExchangeSink.custom(captured::add))
        .build())) {
      DriftReport r = replay(ReplayOptions.builder().target(proxy.uri(), "pr-9").methods(WITH_POST).build());
      assertV2Drift(r);
      int replayed = recorded.size() - 1;
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> captured.size() >= 3 * replayed);
      assertThat(captured.stream().filter(e -> e.target().equals("sandbox:pr-9")).count()).isEqualTo(replayed);
      assertThat(captured.stream().filter(e -> e.target().equals(Exchange.BASELINE)).count()).isEqualTo(2L * replayed);

      DriftReport quiet = replay(ReplayOptions.builder().target(proxy.uri(), "same").methods(WITH_POST).build());
      assertThat(quiet.exitCode()).isZero();
      assertThat(quiet.endpoints()).allSatisfy(ep -> assertThat(ep.differences()).isEmpty());
    }
  }

  @Test
  void targetModeAgainstAnotherBaselineIsQuiet() throws Exception {
    try (RoutingProxy proxy = new RoutingProxy(baseline.baseUri(), Map.of("same", otherBaseline.baseUri()))) {
      DriftReport r = replay(ReplayOptions.builder().target(proxy.uri(), "same").methods(WITH_POST).build());
      assertThat(r.exitCode()).isZero();
      assertThat(r.endpoints()).allSatisfy(ep -> assertThat(ep.differences()).isEmpty());
    }
  }

  @Test
  void safeMethodsOnlyByDefault() {
    DriftReport r = replay(ReplayOptions.builder().baselineAndSandbox(baseline.baseUri(), sandboxV2.baseUri()).build());
    assertThat(r.endpoints()).extracting(EndpointReport::method).containsOnly("GET", "HEAD");
    assertThat(r.skipped()).isEqualTo(ORDERS.size() + 1);
    // GETs of recorded ids are 404 on both sides; the list still shows the contract change.
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(endpoint(r, "GET /orders").differences()).extracting(Difference::path).contains("$.items[*].total");
  }

  @Test
  void rateLimitsRequestsOverBothTargets() {
    long start = System.nanoTime();
    DriftReport r = replay(ReplayOptions.builder()
        .baselineAndSandbox(baseline.baseUri(), otherBaseline.baseUri()).rate(30).concurrency(16).build());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    int requests = 3 * r.counts().exchanges();
    assertThat(requests).isEqualTo(18);
    // 18 requests at 30 per second: the last one may start 17/30 s after the first.
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(17 * 1000 / 30 - 20));
  }

  @Test
  void unreachableSandboxIsATargetFailureWithTheReasonNotDrift() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    long start = System.nanoTime();
    DriftReport r = replay(ReplayOptions.builder()
        .baselineAndSandbox(baseline.baseUri(), URI.create("http://127.0.0.1:" + closed)).build());
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.verdict()).isInstanceOfSatisfying(DriftReport.TargetFailure.class, f -> {
      assertThat(f.side()).isEqualTo("sandbox");
      assertThat(f.reason()).contains("sandbox http://127.0.0.1:" + closed).contains("unreachable").contains("connection refused");
    });
    // drift.json says which side failed and why, not just "error"
    var json = dev.tapline.core.ExchangeCodec.mapper().readTree(ReportWriter.json().toBytes(r));
    assertThat(json.get("verdict").asText()).isEqualTo("error");
    assertThat(json.at("/error/side").asText()).isEqualTo("sandbox");
    assertThat(json.at("/error/reason").asText()).contains("connection refused");
    assertThat(r.endpoints()).allSatisfy(ep -> assertThat(ep.verdict()).isEqualTo(DriftReport.EndpointVerdict.ERROR));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void baselineAnsweringMostlyServerErrorsIsATargetFailure() throws Exception {
    HttpServer broken = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    broken.createContext("/", ex -> {
      byte[] b = "{\"error\":\"internal\"}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(503, b.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(b);
      }
    });
    broken.start();
    try {
      DriftReport r = replay(ReplayOptions.builder()
          .baselineAndSandbox(URI.create("http://127.0.0.1:" + broken.getAddress().getPort()), otherBaseline.baseUri()).build());
      assertThat(r.exitCode()).isEqualTo(3);
      assertThat(((DriftReport.TargetFailure) r.verdict()).reason()).contains("baseline").contains("answered 5xx");
    } finally {
      broken.stop(0);
    }
  }

  @Test
  void malformedInputIsAnInputErrorThatNamesTheLine() throws Exception {
    Path bad = dir.resolve("bad.ndjson");
    Files.writeString(bad, Files.readAllLines(ndjson).get(0) + "\n{\"v\":1,\"id\":\"x\"\n");
    ReplayOptions opts = ReplayOptions.builder().baselineAndSandbox(baseline.baseUri(), otherBaseline.baseUri()).build();
    assertThatThrownBy(() -> {
      try (ExchangeSource src = ExchangeSource.file(bad)) {
        Replayer.create(opts).replay(src, ReplayListener.none());
      }
    }).isInstanceOf(ReplayInputException.class).hasMessageContaining("bad.ndjson line 2").hasMessageContaining("not JSON");

    Path missingField = dir.resolve("missing.ndjson");
    Files.writeString(missingField, "{\"v\":1,\"id\":\"x\",\"request\":{\"method\":\"GET\"}}\n");
    assertThatThrownBy(() -> {
      try (ExchangeSource src = ExchangeSource.file(missingField)) {
        Replayer.create(opts).replay(src, ReplayListener.none());
      }
    }).isInstanceOf(ReplayInputException.class).hasMessageContaining("line 1");

    assertThatThrownBy(() -> ExchangeSource.file(dir.resolve("nope.ndjson")))
        .isInstanceOf(ReplayInputException.class).hasMessageContaining("no such file");
    Path empty = Files.writeString(dir.resolve("empty.ndjson"), "\n");
    assertThatThrownBy(() -> {
      try (ExchangeSource src = ExchangeSource.file(empty)) {
        Replayer.create(opts).replay(src, ReplayListener.none());
      }
    }).isInstanceOf(ReplayInputException.class).hasMessageContaining("no exchanges");
    List<Exchange> onlyPatch = recorded.stream().filter(e -> e.request().method().equals("PATCH")).toList();
    assertThatThrownBy(() -> Replayer.create(opts).replay(onlyPatch))
        .isInstanceOf(ReplayInputException.class).hasMessageContaining("PATCH not replayed").hasMessageContaining("--methods");
  }

  @Test
  void readsExchangesFromTheRecorderExportStream() throws Exception {
    AtomicReference<String> query = new AtomicReference<>();
    HttpServer recorder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    recorder.createContext("/api/export", ex -> {
      query.set(ex.getRequestURI().getRawQuery());
      byte[] b = Files.readAllBytes(ndjson);
      ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
      ex.sendResponseHeaders(200, 0);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(b);
      }
    });
    recorder.start();
    try (ExchangeSource src = ExchangeSource.open("http://127.0.0.1:" + recorder.getAddress().getPort(),
        "service:orders AND method:GET", null, Duration.ofSeconds(5))) {
      DriftReport r = Replayer.create(ReplayOptions.builder()
          .baselineAndSandbox(baseline.baseUri(), otherBaseline.baseUri()).build()).replay(src, ReplayListener.none());
      assertThat(r.exitCode()).isZero();
      assertThat(r.counts().exchanges()).isEqualTo(6);
      assertThat(query.get()).isEqualTo("q=service%3Aorders+AND+method%3AGET");
    } finally {
      recorder.stop(0);
    }
  }

  @Test
  void aRecorderThatRefusesTheExportOrCannotBeReachedIsAnInputErrorNamingTheUrl() throws Exception {
    HttpServer recorder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
    recorder.createContext("/api/export", ex -> {
      byte[] b = "{\"error\":\"bad_query\",\"detail\":\"unexpected ]\"}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(400, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    recorder.start();
    String url = "http://127.0.0.1:" + recorder.getAddress().getPort();
    try {
      assertThatThrownBy(() -> ExchangeSource.open(url + "/", "]", null, Duration.ofSeconds(5)))
          .isInstanceOf(ReplayInputException.class)
          .hasMessage(url + "/api/export?q=%5D: HTTP 400: {\"error\":\"bad_query\",\"detail\":\"unexpected ]\"}");
    } finally {
      recorder.stop(0);
    }
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThatThrownBy(() -> ExchangeSource.open("http://127.0.0.1:" + closed, null, null, Duration.ofSeconds(5)))
        .isInstanceOf(ReplayInputException.class)
        .hasMessageStartingWith("http://127.0.0.1:" + closed + "/api/export: cannot connect");
    assertThatThrownBy(() -> ExchangeSource.open(ndjson.toString(), "service:orders", null, Duration.ofSeconds(5)))
        .isInstanceOf(ReplayInputException.class).hasMessageContaining("is a file");
  }

  static void assertV2Drift(DriftReport r) {
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.verdict()).isInstanceOf(DriftReport.Drift.class);
    EndpointReport post = endpoint(r, "POST /orders");
    assertThat(post.verdict()).isEqualTo(DriftReport.EndpointVerdict.BREAKING);
    assertThat(post.differences()).extracting(d -> d.path() + " " + d.kind().wireName() + " " + d.driftClass().wireName())
        .containsExactlyInAnyOrder(
            "$.customer field-renamed breaking",
            "$.total type-changed breaking",
            "$.currency field-added compatible");
    Difference total = post.differences().stream().filter(d -> d.path().equals("$.total")).findFirst().orElseThrow();
    assertThat(total.message()).isEqualTo("type changed from number to string");
    assertThat(total.baseline().isNumber()).isTrue();
    assertThat(total.sandbox().isTextual()).isTrue();
    assertThat(post.ignored()).extracting(DriftReport.Ignored::path).contains("$.id", "$.createdAt");
    EndpointReport list = endpoint(r, "GET /orders");
    assertThat(list.differences()).extracting(d -> d.path() + " " + d.kind().wireName())
        .contains("$.items[*].customer field-renamed", "$.items[*].total type-changed", "$.items[*].currency field-added");
    assertThat(endpoint(r, "GET /orders/{orderId}").differences()).as("404 on both sides").isEmpty();
    assertThat(r.counts().breaking()).isGreaterThanOrEqualTo(4);
  }

  static EndpointReport endpoint(DriftReport r, String name) {
    return r.endpoints().stream().filter(ep -> ep.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no endpoint " + name + " in " + r.endpoints().stream().map(EndpointReport::name).toList()));
  }
}
