package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapline.core.Redactor;
import dev.tapline.core.api.ExchangeSummary;
import dev.tapline.core.api.Page;
import dev.tapline.core.api.RecorderClient;
import dev.tapline.core.endpoint.Endpoints;
import dev.tapline.core.kafka.KafkaSettings;
import dev.tapline.examples.OrdersService;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import dev.tapline.proxy.ProxyConfig;
import dev.tapline.proxy.RouteSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tapline route} against the proxy of {@code up}'s stack (orders v1 as baseline, v2 as the
 * {@code demo-v2} sandbox, a token on the admin port), and mocks that answer with what the recorder
 * of that stack recorded, which {@code up} lets its proxy read.
 */
class RouteCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "route-t0k";

  @TempDir static Path dir;
  static OrdersService v1;
  static OrdersService v2;
  static Deque<AutoCloseable> running = new ArrayDeque<>();
  static Stack stack;
  static RecorderClient recorder;
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    v1 = OrdersService.start(OrdersService.Version.V1, 0);
    v2 = OrdersService.start(OrdersService.Version.V2, 0);
    // Created first: the proxy drops what it cannot send within 100 ms, and a busy machine may take
    // longer to create a topic on first use.
    String topic = SharedKafka.uniqueTopic("route");
    try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        SharedKafka.bootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    stack = Stack.start(new Stack.Settings(KafkaSettings.of(SharedKafka.bootstrap()), topic, "orders",
        v1.baseUri(), Map.of("demo-v2", RouteSpec.to(v2.baseUri())), "sd-override", null, "all", 0, 0, 0,
        dir.resolve("index"), null, ProxyConfig.DEFAULT_SPOOL_MAX_BYTES, TOKEN, List.of(), Endpoints.defaults(), new QueryLimitOptions(),
        Redactor.defaults(), new ListenerTlsOptions()), running);
    recorder = RecorderClient.builder(stack.recorderUri().toString()).token(TOKEN).build();
  }

  @AfterAll
  static void stop() {
    recorder.close();
    UpCommand.closeAll(running);
    v1.close();
    v2.close();
  }

  /** {@code tapline route <args> --admin ... --token ...}, which must succeed. */
  static String route(String... args) {
    CliRun r = CliRun.run(withAdmin(args));
    assertThat(r.rc()).as("%s\n%s", r.out(), r.err()).isZero();
    return r.out();
  }

  static String[] withAdmin(String... args) {
    String[] all = new String[args.length + 5];
    all[0] = "route";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--admin";
    all[args.length + 2] = stack.adminUri().toString();
    all[args.length + 3] = "--token";
    all[args.length + 4] = TOKEN;
    return all;
  }

  static HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(stack.proxyUri().resolve(path)).header("sd-routing-key", "demo-v2")
        .header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static List<ExchangeSummary> indexed(String q, int atLeast) {
    return await().atMost(Duration.ofSeconds(30)).until(() -> {
      Page p = recorder.search(q, 100, null);
      return p.items();
    }, items -> items.size() >= atLeast);
  }

  @Test
  void setsListsAndRemovesOverridesAndRulesKeepingTheRestOfTheRoute() throws Exception {
    URI dev = URI.create("http://127.0.0.1:1");
    String set = route("set", "demo-v2", "--override", dev.toString(), "--path", "/orders/**");
    assertThat(set).startsWith("set demo-v2  -> " + v2.baseUri() + "; /orders/** override " + dev);
    route("set", "demo-v2", "--fault-status", "503", "--fault-share", "0.5", "--method", "post", "--path", "/pay/**");
    route("set", "demo-v2", "--override", dev.toString(), "--except-status", "404,501");

    JsonNode shown = JSON.readTree(route("get", "demo-v2"));
    assertThat(shown.get("upstream").asText()).isEqualTo(v2.baseUri().toString());
    assertThat(shown.get("override").asText()).isEqualTo(dev.toString());
    assertThat(shown.get("exceptStatus")).hasToString("[404,501]");
    assertThat(shown.at("/rules/0/method").asText()).isEqualTo("POST");
    assertThat(shown.at("/rules/0/fault/share").asDouble()).isEqualTo(0.5);
    assertThat(shown.at("/rules/1/path").asText()).isEqualTo("/orders/**");

    // The override is down: requests still reach the sandbox, and say why.
    HttpResponse<String> fell = send("GET", "/orders?page=0&size=1", null);
    assertThat(fell.statusCode()).isEqualTo(200);
    assertThat(fell.headers().firstValue("tapline-override").orElseThrow()).startsWith("fallback: the override is unreachable");

    assertThat(route("list")).contains("demo-v2  -> " + v2.baseUri() + "; override " + dev + " except status 404,501;"
        + " POST /pay/** fault status 503 for 50%; /orders/** override " + dev);
    assertThat(route("remove", "demo-v2", "--path", "/pay/**")).doesNotContain("/pay/**");
    assertThat(route("remove", "demo-v2", "--override")).startsWith("set demo-v2  -> " + v2.baseUri() + "; /orders/**");
    assertThat(route("remove", "demo-v2", "--path", "/orders/**")).isEqualTo("set demo-v2  -> " + v2.baseUri() + "\n");

    // A new key with an override alone; removing its override leaves nothing, so the route goes.
    assertThat(route("set", "pr-9", "--override", dev.toString())).startsWith("added pr-9  -> baseline; override " + dev);
    assertThat(route("remove", "pr-9", "--override")).startsWith("removed pr-9");
    assertThat(route("remove", "pr-9")).startsWith("no route for pr-9: nothing removed");
  }

  @Test
  void refusesWhatItCannotSetWithOneLineAndExitCode2() {
    Map<String[], String> bad = Map.of(
        new String[] {"set", "demo-v2", "--mock-status", "200"}, "a mock or a fault is a rule: give --path",
        new String[] {"set", "demo-v2", "--path", "/a"}, "--path needs what the rule does",
        new String[] {"set", "demo-v2", "--fault-status", "503", "--override", "http://127.0.0.1:1", "--path", "/a"},
        "a rule does one thing",
        new String[] {"set", "demo-v2", "--fault-status", "99", "--path", "/a"}, "fault.status must be a status from 200",
        new String[] {"set", "demo-v2"}, "nothing to set",
        new String[] {"get", "nobody"}, "HTTP 404 not_found: no route for routing key \"nobody\"",
        new String[] {"remove", "demo-v2", "--path", "/never"}, "route demo-v2 has no rule for /never");
    for (Map.Entry<String[], String> b : bad.entrySet()) {
      CliRun r = CliRun.run(withAdmin(b.getKey()));
      assertThat(r.rc()).as(String.join(" ", b.getKey())).isEqualTo(2);
      assertThat(r.err()).as(String.join(" ", b.getKey())).startsWith("tapline route ").contains(b.getValue());
      assertThat(r.err().strip().lines()).as(String.join(" ", b.getKey())).hasSize(1);
    }
    CliRun noToken = CliRun.run("route", "list", "--admin", stack.adminUri().toString());
    assertThat(noToken.rc()).isEqualTo(2);
    assertThat(noToken.err()).contains("HTTP 401", "--token");
    CliRun down = CliRun.run("route", "list", "--admin", "127.0.0.1:1");
    assertThat(down.rc()).isEqualTo(1);
    assertThat(down.err()).startsWith("tapline route list: cannot reach the proxy's admin API at http://127.0.0.1:1");
  }

  @Test
  void mocksAnswerWithARecordedExchangeByIdOrTheNewestOfTheEndpointAndAreRecordedAsMocks() throws Exception {
    HttpResponse<String> created = send("POST", "/orders", "{\"customer\":\"Ann\",\"items\":[{\"sku\":\"SKU-1\","
        + "\"quantity\":1,\"price\":2.5}]}");
    assertThat(created.statusCode()).isEqualTo(201);
    String orderId = JSON.readTree(created.body()).get("id").asText();
    HttpResponse<String> read = send("GET", "/orders/" + orderId, null);
    assertThat(read.statusCode()).isEqualTo(200);
    String post = indexed("routingKey:demo-v2 AND method:POST AND path:\"/orders\"", 1).get(0).id();
    indexed("routingKey:demo-v2 AND method:GET AND template:\"/orders/{orderId}\"", 1);

    route("set", "demo-v2", "--mock-exchange", post, "--method", "POST", "--path", "/orders");
    route("set", "demo-v2", "--mock-exchange", "latest", "--method", "GET", "--path", "/orders/{id}");
    route("set", "demo-v2", "--mock-exchange", "latest", "--method", "DELETE", "--path", "/orders/{id}");
    try {
      // The recorded creation answers again, without the sandbox creating anything.
      HttpResponse<String> again = send("POST", "/orders", "{\"customer\":\"Bob\",\"items\":[]}");
      assertThat(again.statusCode()).isEqualTo(201);
      assertThat(again.body()).isEqualTo(created.body());
      assertThat(again.headers().firstValue("tapline-mock")).contains("exchange " + post);

      // The newest recorded GET of /orders/{orderId} answers for any order id.
      HttpResponse<String> other = send("GET", "/orders/999999", null);
      assertThat(other.statusCode()).isEqualTo(200);
      assertThat(other.body()).isEqualTo(read.body());

      HttpResponse<String> none = send("DELETE", "/orders/1", null);
      assertThat(none.statusCode()).isEqualTo(502);
      assertThat(JSON.readTree(none.body()).get("error").asText()).isEqualTo("mock_unavailable");
      assertThat(JSON.readTree(none.body()).get("detail").asText()).contains("no live exchange of DELETE /orders/{orderId}");

      List<ExchangeSummary> mocks = indexed("target:mock", 3);
      assertThat(mocks).extracting(ExchangeSummary::routingKey).containsOnly("demo-v2");
      assertThat(mocks).extracting(ExchangeSummary::status).contains(201, 200, 502);
    } finally {
      route("remove", "demo-v2", "--path", "/orders");
      route("remove", "demo-v2", "--path", "/orders/{id}");
    }
  }
}
