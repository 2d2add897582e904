package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeError;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per route rules against real upstreams and a real broker: an override (a developer's process)
 * tried first with its fallback, mocks, faults, and the capture naming the target that answered.
 */
class RouteRulesTest {
  static TestUpstream baseline;
  static TestUpstream sandbox;
  static TestUpstream dev;
  static HttpClient http;

  @BeforeAll
  static void upstreams() {
    baseline = TestUpstream.start("baseline");
    sandbox = TestUpstream.start("sandbox");
    dev = TestUpstream.start("dev");
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    baseline.close();
    sandbox.close();
    dev.close();
    http.close();
  }

  @BeforeEach
  void forget() {
    dev.received.clear();
    sandbox.received.clear();
  }

  static ProxyConfig.Builder config(String topic) {
    return ProxyConfig.builder()
        .service("orders")
        .proxyId("test-proxy")
        .baseline(baseline.uri())
        .sandbox("pr-7", sandbox.uri())
        .kafkaBootstrap(SharedKafka.bootstrap())
        .topic(topic)
        .capture(CapturePolicy.ALL)
        .overrideTimeout(Duration.ofMillis(700))
        .overrideMaxBody(1024)
        .admin("127.0.0.1", 0);
  }

  /**
   * A new topic, created before the proxy sends to it: the proxy waits at most 100 ms for a topic's
   * metadata and drops (and counts) what it cannot send, and on a busy machine creating a topic on
   * first use can take longer.
   */
  static String topic(String prefix) throws Exception {
    String topic = SharedKafka.uniqueTopic(prefix);
    try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        SharedKafka.bootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    return topic;
  }

  static HttpResponse<String> send(CaptureProxy proxy, String method, String path, String key, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri().resolve(path)).header("x-routing-key", key);
    b.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    return http.send(b.build(), BodyHandlers.ofString());
  }

  static HttpResponse<String> get(CaptureProxy proxy, String path, String key) throws Exception {
    return send(proxy, "GET", path, key, null);
  }

  static HttpResponse<String> admin(CaptureProxy proxy, String method, String path, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(proxy.adminUri().resolve(path)).header("Content-Type", "application/json");
    b.method(method, json == null ? BodyPublishers.noBody() : BodyPublishers.ofString(json));
    return http.send(b.build(), BodyHandlers.ofString());
  }

  static String server(HttpResponse<String> r) throws IOException {
    return TestUpstream.JSON.readTree(r.body()).path("server").asText();
  }

  static Exchange captured(List<Exchange> all, Predicate<Exchange> which) {
    return all.stream().filter(which).findFirst().orElseThrow(() -> new AssertionError("no such capture in " + all));
  }

  static Predicate<Exchange> path(String p) {
    return e -> e.request().path().equals(p);
  }

  @Test
  void usesTheOverridesAnswerWhenItSaysSoAndFallsBackWithTheSameRequestWhenItDoesNot() throws Exception {
    String topic = topic("override");
    try (CaptureProxy proxy = CaptureProxy.start(config(topic).build())) {
      HttpResponse<String> put = admin(proxy, "PUT", "/routes/pr-7",
          "{\"upstream\": \"" + sandbox.uri() + "\", \"override\": \"" + dev.uri() + "\"}");
      assertThat(put.statusCode()).isEqualTo(200);
      assertThat(TestUpstream.JSON.readTree(put.body()).get("override").asText()).isEqualTo(dev.uri().toString());

      HttpResponse<String> kept = get(proxy, "/orders/1?set=sd-override:true&as=dev", "pr-7");
      assertThat(server(kept)).isEqualTo("dev");
      assertThat(kept.headers().firstValue("sd-override")).contains("true");
      assertThat(kept.headers().firstValue("tapline-override")).isEmpty();

      HttpResponse<String> fell = send(proxy, "POST", "/orders/2", "pr-7", "{\"customer\":\"ann\"}");
      assertThat(server(fell)).isEqualTo("sandbox");
      assertThat(fell.headers().firstValue("tapline-override"))
          .contains("fallback: the override answered 200 without sd-override: true");
      // The developer's process and the fallback both got the whole request, body included.
      assertThat(dev.received).extracting(m -> m.get("body")).contains("{\"customer\":\"ann\"}");
      assertThat(sandbox.received).extracting(m -> m.get("body")).containsExactly("{\"customer\":\"ann\"}");

      List<Exchange> all = TopicReader.exchanges(SharedKafka.bootstrap(), topic, 2, Duration.ofSeconds(30));
      assertThat(captured(all, path("/orders/1")).target()).isEqualTo("override:" + dev.uri());
      Exchange fallback = captured(all, path("/orders/2"));
      assertThat(fallback.target()).isEqualTo("sandbox:pr-7");
      assertThat(fallback.request().body().textOrNull()).isEqualTo("{\"customer\":\"ann\"}");
      assertThat(fallback.response().headers().first("x-upstream")).isEqualTo("sandbox");
      assertThat(proxy.metrics().scrape()).contains("target=\"override\"");
    }
  }

  @Test
  void fallsBackWhenTheOverrideIsDownOrDoesNotAnswerInTime() throws Exception {
    String topic = topic("override-down");
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (CaptureProxy proxy = CaptureProxy.start(config(topic)
        .route("down", RouteSpec.to(sandbox.uri()).withOverride(new RouteSpec.Override(URI.create("http://127.0.0.1:" + closed))))
        .route("slow", RouteSpec.to(sandbox.uri()).withOverride(new RouteSpec.Override(dev.uri())))
        .build())) {
      HttpResponse<String> down = get(proxy, "/orders/1?set=sd-override:true", "down");
      assertThat(server(down)).isEqualTo("sandbox");
      assertThat(down.headers().firstValue("tapline-override").orElseThrow())
          .startsWith("fallback: the override is unreachable");

      // The override would answer, and keep its answer, after 2 s: the sandbox's answer came first.
      HttpResponse<String> slow = get(proxy, "/slow?ms=2000&as=dev&set=sd-override:true", "slow");
      assertThat(server(slow)).isEqualTo("sandbox");
      assertThat(slow.headers().firstValue("tapline-override")).contains("fallback: the override did not answer within 700 ms");

      List<Exchange> all = TopicReader.exchanges(SharedKafka.bootstrap(), topic, 2, Duration.ofSeconds(30));
      assertThat(all).extracting(Exchange::target).containsExactlyInAnyOrder("sandbox:down", "sandbox:slow");
      assertThat(all).allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
    }
  }

  @Test
  void skipsTheOverrideForABodyOverTheBoundAndSaysSoInTheResponse() throws Exception {
    String topic = topic("override-large");
    try (CaptureProxy proxy = CaptureProxy.start(config(topic)
        .route("pr-7", RouteSpec.to(sandbox.uri()).withOverride(new RouteSpec.Override(dev.uri())))
        .build())) {
      String large = "x".repeat(4096);
      HttpResponse<String> declared = send(proxy, "POST", "/orders/large?set=sd-override:true", "pr-7", large);
      assertThat(server(declared)).isEqualTo("sandbox");
      assertThat(declared.headers().firstValue("tapline-override"))
          .contains("skipped: the request body of 4096 bytes is over the 1024 bytes kept for a fallback");

      // A chunked body learns its size as it arrives: what was kept goes to the sandbox, then the rest.
      HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/orders/chunked?set=sd-override:true"))
          .header("x-routing-key", "pr-7")
          .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large.getBytes(StandardCharsets.US_ASCII))))
          .build(), BodyHandlers.ofString());
      assertThat(server(chunked)).isEqualTo("sandbox");
      assertThat(TestUpstream.JSON.readTree(chunked.body()).get("body").asText()).isEqualTo(large);
      assertThat(chunked.headers().firstValue("tapline-override"))
          .contains("skipped: the request body is over the 1024 bytes kept for a fallback");
      assertThat(dev.received).extracting(m -> m.get("path")).doesNotContain("/orders/large", "/orders/chunked");

      // Within the bound, a chunked body goes to the override whole.
      HttpResponse<String> small = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/orders/small?set=sd-override:true"))
          .header("x-routing-key", "pr-7")
          .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream("tiny".getBytes(StandardCharsets.US_ASCII))))
          .build(), BodyHandlers.ofString());
      assertThat(server(small)).isEqualTo("dev");
      assertThat(TestUpstream.JSON.readTree(small.body()).get("body").asText()).isEqualTo("tiny");

      List<Exchange> all = TopicReader.exchanges(SharedKafka.bootstrap(), topic, 3, Duration.ofSeconds(30));
      assertThat(captured(all, path("/orders/large")).target()).isEqualTo("sandbox:pr-7");
      assertThat(captured(all, path("/orders/chunked")).target()).isEqualTo("sandbox:pr-7");
      assertThat(captured(all, path("/orders/small")).target()).isEqualTo("override:" + dev.uri());
    }
  }

  @Test
  void exceptStatusKeepsTheOverridesAnswerUnlessItIsOneOfThoseStatuses() throws Exception {
    String topic = topic("override-except");
    try (CaptureProxy proxy = CaptureProxy.start(config(topic).build())) {
      assertThat(admin(proxy, "PUT", "/routes/pr-7", "{\"upstream\": \"" + sandbox.uri() + "\", \"rules\": [{\"method\":"
          + " \"GET\", \"path\": \"/orders/**\", \"override\": \"" + dev.uri() + "\", \"exceptStatus\": [404, 501]}]}")
          .statusCode()).isEqualTo(200);

      assertThat(server(get(proxy, "/orders/1", "pr-7"))).isEqualTo("dev");
      HttpResponse<String> missing = get(proxy, "/orders/2?status=404&as=dev", "pr-7");
      assertThat(server(missing)).isEqualTo("sandbox");
      assertThat(missing.statusCode()).isEqualTo(200);
      assertThat(missing.headers().firstValue("tapline-override")).contains("fallback: the override answered 404");
      // Other methods and paths take the route's own target.
      assertThat(server(send(proxy, "POST", "/orders/3", "pr-7", "{}"))).isEqualTo("sandbox");
      assertThat(server(get(proxy, "/customers/1", "pr-7"))).isEqualTo("sandbox");
      assertThat(dev.received).hasSize(2);

      List<Exchange> all = TopicReader.exchanges(SharedKafka.bootstrap(), topic, 4, Duration.ofSeconds(30));
      assertThat(captured(all, path("/orders/1")).target()).isEqualTo("override:" + dev.uri());
      assertThat(captured(all, path("/orders/2")).target()).isEqualTo("sandbox:pr-7");
    }
  }

  @Test
  void mocksAnswerWithoutAnyUpstreamAndOtherRequestsOfARouteWithoutUpstreamGoToTheBaseline() throws Exception {
    String topic = topic("mock");
    try (CaptureProxy proxy = CaptureProxy.start(config(topic).build())) {
      HttpResponse<String> put = admin(proxy, "PUT", "/routes/mocked", "{\"rules\": [{\"method\": \"GET\", \"path\":"
          + " \"/orders/{id}\", \"mock\": {\"status\": 418, \"headers\": {\"x-mock\": \"yes\"}, \"body\":"
          + " {\"mocked\": true}}}]}");
      assertThat(put.statusCode()).isEqualTo(201);
      assertThat(TestUpstream.JSON.readTree(put.body()).at("/rules/0/mock/headers/content-type").asText())
          .isEqualTo("application/json");

      for (int i = 0; i < 2; i++) { // the same answer twice, on one connection
        HttpResponse<String> mock = get(proxy, "/orders/5?x=1", "mocked");
        assertThat(mock.statusCode()).isEqualTo(418);
        assertThat(mock.body()).isEqualTo("{\"mocked\":true}");
        assertThat(mock.headers().firstValue("x-mock")).contains("yes");
        assertThat(mock.headers().firstValue("content-type")).contains("application/json");
      }
      HttpResponse<String> head = send(proxy, "HEAD", "/orders/5", "mocked", null);
      assertThat(head.statusCode()).isEqualTo(418);
      assertThat(head.body()).isEmpty();
      HttpResponse<String> posted = send(proxy, "POST", "/orders/5", "mocked", "{\"a\":1}");
      assertThat(posted.statusCode()).isEqualTo(200);
      assertThat(server(posted)).isEqualTo("baseline");
      assertThat(server(get(proxy, "/orders/5/items", "mocked"))).isEqualTo("baseline");

      List<Exchange> all = TopicReader.exchanges(SharedKafka.bootstrap(), topic, 5, Duration.ofSeconds(30));
      Exchange mocked = captured(all, e -> e.request().method().equals("GET") && e.request().path().equals("/orders/5"));
      assertThat(mocked.target()).isEqualTo("mock");
      assertThat(mocked.routingKey()).isEqualTo("mocked");
      assertThat(mocked.status()).isEqualTo(418);
      assertThat(mocked.response().body().textOrNull()).isEqualTo("{\"mocked\":true}");
      Exchange other = captured(all, e -> e.request().method().equals("POST"));
      assertThat(other.target()).isEqualTo("baseline");
      assertThat(other.routingKey()).isEqualTo("mocked");
      assertThat(proxy.metrics().scrape()).contains("target=\"mock\"");
    }
  }

  @Test
  void faultsAnswerAStatusAddLatencyOrResetTheConnectionForTheirShareOfRequests() throws Exception {
    String topic = topic("fault");
    try (CaptureProxy proxy = CaptureProxy.start(config(topic).build())) {
      assertThat(admin(proxy, "PUT", "/routes/pr-7", "{\"upstream\": \"" + sandbox.uri() + "\", \"rules\": ["
          + "{\"path\": \"/payments/**\", \"fault\": {\"status\": 503}},"
          + "{\"path\": \"/slow/**\", \"fault\": {\"delayMs\": 400}},"
          + "{\"path\": \"/reset/**\", \"fault\": {\"reset\": true}},"
          + "{\"path\": \"/half/**\", \"fault\": {\"status\": 500, \"share\": 0.5}}]}").statusCode()).isEqualTo(200);

      HttpResponse<String> unavailable = send(proxy, "POST", "/payments/1", "pr-7", "{\"amount\": 3}");
      assertThat(unavailable.statusCode()).isEqualTo(503);
      assertThat(TestUpstream.JSON.readTree(unavailable.body()).get("error").asText()).isEqualTo("fault");

      long start = System.nanoTime();
      HttpResponse<String> slow = get(proxy, "/slow/1", "pr-7");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
      assertThat(server(slow)).isEqualTo("sandbox");

      assertThatThrownBy(() -> get(proxy, "/reset/1", "pr-7")).isInstanceOf(IOException.class);

      Set<Integer> seen = new HashSet<>();
      for (int i = 0; i < 40 && seen.size() < 2; i++) {
        seen.add(get(proxy, "/half/" + i, "pr-7").statusCode());
      }
      assertThat(seen).containsExactlyInAnyOrder(200, 500);
      assertThat(sandbox.received).extracting(m -> m.get("path")).doesNotContain("/payments/1", "/reset/1");

      List<Exchange> all = TopicReader.exchanges(SharedKafka.bootstrap(), topic, 5, Duration.ofSeconds(30));
      Exchange status = captured(all, path("/payments/1"));
      assertThat(status.target()).isEqualTo("fault");
      assertThat(status.status()).isEqualTo(503);
      assertThat(status.request().body().textOrNull()).isEqualTo("{\"amount\": 3}");
      Exchange delayed = captured(all, path("/slow/1"));
      assertThat(delayed.target()).isEqualTo("fault");
      assertThat(delayed.durationMicros()).isGreaterThanOrEqualTo(400_000);
      assertThat(delayed.response().headers().first("x-upstream")).isEqualTo("sandbox");
      Exchange reset = captured(all, path("/reset/1"));
      assertThat(reset.target()).isEqualTo("fault");
      assertThat(reset.error().kind()).isEqualTo(ExchangeError.Kind.RESET);
    }
  }

  @Test
  void takesAnOverrideOrRulesAloneOnANewKeyAndRefusesWhatItCannotServe() throws Exception {
    try (CaptureProxy proxy = CaptureProxy.start(config("unused").capture(CapturePolicy.NONE).build())) {
      HttpResponse<String> ov = admin(proxy, "PUT", "/routes/new-ov", "{\"override\": \"" + dev.uri() + "\"}");
      assertThat(ov.statusCode()).isEqualTo(201);
      JsonNode shown = TestUpstream.JSON.readTree(admin(proxy, "GET", "/routes/new-ov", null).body());
      assertThat(shown.get("key").asText()).isEqualTo("new-ov");
      assertThat(shown.get("override").asText()).isEqualTo(dev.uri().toString());
      assertThat(shown.has("upstream")).isFalse();
      // Its normal target is the baseline.
      HttpResponse<String> fell = get(proxy, "/orders/1", "new-ov");
      assertThat(server(fell)).isEqualTo("baseline");
      assertThat(server(get(proxy, "/orders/1?set=sd-override:true", "new-ov"))).isEqualTo("dev");

      assertThat(admin(proxy, "PUT", "/routes/new-rules", "{\"rules\": [{\"path\": \"/x/**\", \"fault\": {\"status\":"
          + " 503}}]}").statusCode()).isEqualTo(201);
      JsonNode table = TestUpstream.JSON.readTree(admin(proxy, "GET", "/routes", null).body());
      assertThat(table.at("/new-rules/rules/0/fault/status").asInt()).isEqualTo(503);
      assertThat(table.at("/pr-7/upstream").asText()).isEqualTo(sandbox.uri().toString());

      Map<String, String> refused = Map.of(
          "{}", "a route needs upstream, override or rules",
          "{\"rules\": [{\"path\": \"orders\", \"mock\": {\"status\": 200}}]}", "rules[0]: rule path must start with /",
          "{\"rules\": [{\"path\": \"/a\"}]}", "rules[0]: a rule needs exactly one of override, mock and fault",
          "{\"rules\": [{\"path\": \"/a\", \"mock\": {\"exchange\": \"latest\"}}]}", "needs the proxy to know the recorder",
          "{\"rules\": [{\"path\": \"/a\", \"fault\": {\"share\": 2, \"status\": 503}}]}", "fault.share must be more than 0",
          "{\"override\": \"http://127.0.0.1:1/path\"}", "override must not have a path",
          "{\"upstream\": \"http://127.0.0.1:1\", \"rule\": []}", "a route does not take \"rule\"");
      for (Map.Entry<String, String> bad : refused.entrySet()) {
        HttpResponse<String> r = admin(proxy, "PUT", "/routes/bad", bad.getKey());
        assertThat(r.statusCode()).as(bad.getKey()).isEqualTo(400);
        assertThat(TestUpstream.JSON.readTree(r.body()).get("detail").asText()).as(bad.getKey()).contains(bad.getValue());
      }
      assertThat(proxy.routes().get("bad")).isNull();
    }
  }
}
