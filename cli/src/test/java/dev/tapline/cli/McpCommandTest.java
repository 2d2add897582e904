package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.testing.TestExchanges;
import dev.tapline.core.testing.TestTopics;
import dev.tapline.examples.OrdersService;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import dev.tapline.proxy.CapturePolicy;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ProxyConfig;
import dev.tapline.proxy.RouteSpec;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tapline mcp} as an agent runs it: a child process speaking MCP over stdio, driven by the
 * SDK's own client, against a real recorder fed by a real capture proxy (baseline orders v1, the
 * {@code demo-v2} sandbox on v2) and that proxy's admin API. Every tool is called with good and bad
 * input.
 */
class McpCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BIG_ID = "0190b1a2-0000-7000-8000-00000000b16b";

  @TempDir static Path dir;
  static OrdersService v1;
  static OrdersService v2;
  static CaptureProxy proxy;
  static Recorder recorder;
  static McpSyncClient client;
  static final List<String> serverErr = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    v1 = OrdersService.start(OrdersService.Version.V1, 0);
    v2 = OrdersService.start(OrdersService.Version.V2, 0);
    String topic = SharedKafka.uniqueTopic("mcp");
    // Another service, with a body too big to show whole.
    Exchange big = TestExchanges.exchange("GET", "/payments/7", null, Body.empty(), 200,
        Body.text("application/json", "{\"lines\":\"" + "x".repeat(10_000) + "\"}"), null);
    big = new Exchange(BIG_ID, big.startedAt(), big.durationMicros(), "payments", big.proxy(), null, big.target(),
        null, null, big.request(), big.response(), null, List.of("request.header:authorization"));
    TestTopics.publish(SharedKafka.bootstrap(), topic, List.of(big));
    proxy = CaptureProxy.start(ProxyConfig.builder().listen("127.0.0.1", 0).service("orders").baseline(v1.baseUri())
        .sandbox("demo-v2", v2.baseUri()).kafkaBootstrap(SharedKafka.bootstrap()).topic(topic)
        .capture(CapturePolicy.ALL).admin("127.0.0.1", 0).build());
    recorder = Recorder.start(RecorderConfig.builder().kafka(SharedKafka.bootstrap()).topic(topic).groupId("g-" + topic)
        .indexDir(dir.resolve("index")).build());
    int sent = traffic(null) + traffic("demo-v2");
    await().atMost(Duration.ofSeconds(60)).until(() -> recorder.index().size() == 1 + sent);

    ServerParameters params = ServerParameters.builder(java())
        .args(childArgs("--from", recorder.baseUri().toString(), "--admin", proxy.adminUri().toString()))
        .build();
    StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper()));
    transport.setStdErrorHandler(serverErr::add);
    client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(90)).build();
    client.initialize();
  }

  /** Creates two orders and reads them back, through the proxy; returns the number of requests. */
  private static int traffic(String routingKey) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    int n = 0;
    for (String customer : List.of("Ann", "Bob")) {
      HttpRequest.Builder post = HttpRequest.newBuilder(proxy.uri().resolve("/orders"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"customer\":\"" + customer
              + "\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2,\"price\":4.5}]}"));
      if (routingKey != null) {
        post.header("sd-routing-key", routingKey);
      }
      HttpResponse<String> created = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String id = JSON.readTree(created.body()).get("id").asText();
      HttpRequest.Builder get = HttpRequest.newBuilder(proxy.uri().resolve("/orders/" + id));
      if (routingKey != null) {
        get.header("sd-routing-key", routingKey);
      }
      assertThat(http.send(get.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      n += 2;
    }
    return n;
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.closeGracefully();
    }
    for (AutoCloseable c : new AutoCloseable[] {recorder, proxy, v1, v2}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static List<String> childArgs(String... mcpArgs) {
    List<String> args = new ArrayList<>(List.of("-Xmx256m", "-Duser.timezone=Australia/Sydney",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "mcp"));
    args.addAll(List.of(mcpArgs));
    return args;
  }

  static CallToolResult call(String tool, Map<String, Object> args) {
    return client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(args).build());
  }

  static String text(CallToolResult r) {
    return ((McpSchema.TextContent) r.content().get(0)).text();
  }

  static String ok(String tool, Map<String, Object> args) {
    CallToolResult r = call(tool, args);
    assertThat(r.isError()).as("%s %s: %s", tool, args, text(r)).isFalse();
    return text(r);
  }

  static String failed(String tool, Map<String, Object> args) {
    CallToolResult r = call(tool, args);
    assertThat(r.isError()).as("%s %s: %s", tool, args, text(r)).isTrue();
    return text(r);
  }

  @Test
  void listsEightToolsEachWithADescriptionADescribedSchemaAndHints() {
    List<McpSchema.Tool> tools = client.listTools().tools();
    assertThat(tools).extracting(McpSchema.Tool::name).containsExactly("search_traffic", "get_exchange",
        "list_endpoints", "generate_tests", "check_drift", "list_routes", "set_route", "remove_route");
    for (McpSchema.Tool t : tools) {
      assertThat(t.description()).as(t.name()).hasSizeGreaterThanOrEqualTo(40);
      assertThat(t.annotations()).as(t.name()).isNotNull();
      assertThat(t.annotations().readOnlyHint()).as(t.name()).isNotNull();
      assertThat(t.annotations().destructiveHint()).as(t.name()).isNotNull();
      assertThat(t.annotations().idempotentHint()).as(t.name()).isTrue();
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> props = (Map<String, Map<String, Object>>) t.inputSchema().get("properties");
      props.forEach((name, spec) -> assertThat(spec.get("description")).as(t.name() + "." + name).isNotNull());
    }
    McpSchema.Tool search = tools.get(0);
    assertThat(search.inputSchema().get("properties")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsKey("query");
    assertThat(search.annotations().readOnlyHint()).isTrue();
    McpSchema.Tool setRoute = tools.get(6);
    assertThat(setRoute.annotations().readOnlyHint()).isFalse();
    assertThat(setRoute.annotations().destructiveHint()).isTrue();
  }

  @Test
  void searchFindsTheSandboxTrafficAndSaysHowToGetMore() {
    String all = ok("search_traffic", Map.of("query", "routingKey:demo-v2"));
    assertThat(all).contains("4 exchanges matching `routingKey:demo-v2`", "POST /orders -> 201", "[demo-v2]",
        "get_exchange");
    String page = ok("search_traffic", Map.of("service", "orders", "routingKey", "demo-v2", "since", "1h", "limit", 1));
    assertThat(page).contains("1 exchange matching `service:orders AND routingKey:demo-v2 AND time:[now-1h TO now]`",
        "(more on the next page)", "cursor \"");
    String cursor = page.substring(page.indexOf("cursor \"") + 8);
    cursor = cursor.substring(0, cursor.indexOf('"'));
    assertThat(ok("search_traffic", Map.of("service", "orders", "routingKey", "demo-v2", "since", "1h", "limit", 1,
        "cursor", cursor))).contains("1 exchange matching");
    assertThat(ok("search_traffic", Map.of("routingKey", ""))).contains("GET /payments/7", "POST /orders");
  }

  @Test
  void searchErrorsSayWhatToDoInstead() {
    assertThat(failed("search_traffic", Map.of("service", "ordrs")))
        .startsWith("No exchanges match `service:ordrs`.").contains("services seen: orders, payments");
    assertThat(failed("search_traffic", Map.of("routingKey", "demo-v3")))
        .contains("Routing keys seen in recent traffic: demo-v2");
    assertThat(failed("search_traffic", Map.of("query", "status:[500 TO")))
        .startsWith("The query `status:[500 TO` does not parse: ").contains("Query syntax:");
    assertThat(failed("search_traffic", Map.of("q", "status:500")))
        .isEqualTo("search_traffic does not take q; its arguments are cursor, limit, query, routingKey, service, since.");
    assertThat(failed("search_traffic", Map.of("since", "yesterday"))).contains("since must be a time window like");
    assertThat(failed("search_traffic", Map.of("limit", 5000))).isEqualTo("limit must be from 1 to 100, got 5000.");
    assertThat(ok("search_traffic", Map.of("query", "status:5xx"))).startsWith("No exchanges match `status:5xx`.");
  }

  @Test
  void getExchangeShowsTheWholeExchangeWithBodiesCutToAReadableSize() {
    String text = ok("get_exchange", Map.of("id", BIG_ID));
    assertThat(text).startsWith("GET /payments/7 -> 200").contains("service payments", "Request headers:",
        "Response body (application/json, 9.8 KiB; cut to the first 4.0 KiB here", "maxBodyBytes",
        "Redacted before recording (values are gone): request.header:authorization");
    assertThat(text.length()).isLessThan(6000);
    assertThat(ok("get_exchange", Map.of("id", BIG_ID, "maxBodyBytes", 65536))).doesNotContain("cut to").contains("x".repeat(9000));
    assertThat(failed("get_exchange", Map.of("id", "nope"))).startsWith("No exchange with id \"nope\".");
    assertThat(failed("get_exchange", Map.of())).startsWith("get_exchange needs id");
  }

  @Test
  void listEndpointsGivesCountsStatusesAndLatency() {
    String text = ok("list_endpoints", Map.of("service", "orders"));
    assertThat(text).contains("2 endpoints (service orders, all traffic)", "POST /orders  4 calls  status 201x4",
        "GET /orders/{orderId}  4 calls  status 200x4", "p50 ", "p95 ");
    assertThat(ok("list_endpoints", Map.of("routingKey", "demo-v2"))).contains("routing key demo-v2", "2 calls");
    assertThat(failed("list_endpoints", Map.of("service", "ordrs"))).contains("services seen: orders, payments");
  }

  @Test
  void generateTestsReturnsTheSourcesAndWritesThemWhenAsked() throws Exception {
    String text = ok("generate_tests", Map.of("service", "orders", "package", "com.acme.orders.contract"));
    assertThat(text).contains("Generated ", "for 2 endpoints of orders", "java/com/acme/orders/contract/",
        "Not written to disk", "=== java/com/acme/orders/contract/");
    assertThat(text.length()).isLessThan(60_000);

    Path out = dir.resolve("gen");
    String written = ok("generate_tests", Map.of("service", "orders", "package", "com.acme.orders.contract",
        "endpoint", "GET /orders/{orderId}", "outDir", out.toString(), "verifyUrl", v1.baseUri().toString()));
    assertThat(written).contains("for GET /orders/{orderId}", "under " + out.toAbsolutePath(),
        "Verification against " + v1.baseUri() + " is not available");
    try (var files = Files.walk(out)) {
      assertThat(files.map(p -> p.getFileName().toString())).contains("TaplineTarget.java");
    }
    String again = ok("generate_tests", Map.of("service", "orders", "package", "com.acme.orders.contract",
        "endpoint", "GET /orders/{orderId}", "outDir", out.toString()));
    assertThat(again).contains("files of the same names replaced");

    assertThat(ok("generate_tests", Map.of("service", "orders", "package", "com.acme.orders.contract",
        "file", "java/com/acme/orders/contract/TaplineTarget.java"))).contains("class TaplineTarget");
  }

  @Test
  void generateTestsErrorsNameTheEndpointsAndServicesThatExist() {
    assertThat(failed("generate_tests", Map.of("service", "orders", "package", "com.acme",
        "endpoint", "GET /orders/{id}"))).isEqualTo("No endpoint GET /orders/{id} in the traffic of orders; endpoints"
            + " seen: POST /orders, GET /orders/{orderId}.");
    assertThat(failed("generate_tests", Map.of("service", "ordrs", "package", "com.acme")))
        .contains("services seen: orders, payments");
    assertThat(failed("generate_tests", Map.of("service", "orders", "package", "com.Acme-x")))
        .startsWith("package must be a valid Java package name");
    assertThat(failed("generate_tests", Map.of("service", "orders"))).startsWith("generate_tests needs package");
    assertThat(failed("generate_tests", Map.of("service", "orders", "package", "com.acme", "endpoint", "orders")))
        .startsWith("endpoint must be a method and a path template");
  }

  @Test
  void checkDriftPutsBreakingDifferencesFirstWithTheirJsonPaths() {
    String twoUrls = ok("check_drift", Map.of("query", "target:baseline AND method:POST", "baseline",
        v1.baseUri().toString(), "sandbox", v2.baseUri().toString(), "methods", List.of("POST")));
    assertThat(twoUrls).startsWith("DRIFT: ").contains("Breaking (", "POST /orders  $.customer  field-renamed",
        "$.total  type-changed: type changed from number to string", "Compatible (", "$.currency  field-added");
    assertThat(twoUrls.indexOf("Breaking (")).isLessThan(twoUrls.indexOf("Compatible ("));

    String routed = ok("check_drift", Map.of("service", "orders", "query", "target:baseline", "target",
        proxy.uri().toString(), "routingKey", "demo-v2", "methods", "GET,POST", "failOn", "compatible"));
    assertThat(routed).startsWith("DRIFT: ").contains("(routing key demo-v2)", "$.customer  field-renamed");

    String gets = ok("check_drift", Map.of("service", "orders", "query", "target:baseline", "baseline",
        v1.baseUri().toString(), "sandbox", v1.baseUri().toString()));
    assertThat(gets).startsWith("PASS: ").contains("2 skipped (methods replayed: GET, HEAD, OPTIONS; see methods)")
        .doesNotContain("Breaking", "get_exchange");
  }

  @Test
  void checkDriftErrorsSayWhichArgumentsAreMissingOrWhichSideFailed() {
    assertThat(failed("check_drift", Map.of("service", "orders"))).startsWith("check_drift needs either baseline and sandbox");
    assertThat(failed("check_drift", Map.of("baseline", v1.baseUri().toString(), "sandbox", v2.baseUri().toString())))
        .startsWith("check_drift needs service or query");
    assertThat(failed("check_drift", Map.of("service", "orders", "target", proxy.uri().toString())))
        .startsWith("target needs routingKey too");
    assertThat(failed("check_drift", Map.of("service", "orders", "baseline", v1.baseUri().toString(), "sandbox",
        v2.baseUri().toString(), "failOn", "sometimes"))).contains("failOn must be breaking, compatible or none");
    assertThat(failed("check_drift", Map.of("service", "ordrs", "baseline", v1.baseUri().toString(), "sandbox",
        v2.baseUri().toString()))).startsWith("Nothing was replayed: ").contains("services seen: orders, payments");
    assertThat(failed("check_drift", Map.of("service", "orders", "query", "target:baseline AND method:GET",
        "baseline", v1.baseUri().toString(), "sandbox", "http://127.0.0.1:1")))
        .startsWith("ERROR: the comparison cannot be trusted: sandbox http://127.0.0.1:1 is unreachable");
  }

  @Test
  void routeToolsForwardToTheAdminApiAndAreIdempotent() {
    assertThat(ok("list_routes", Map.of())).contains("1 route", "demo-v2 -> " + v2.baseUri());
    String upstream = v2.baseUri().toString();
    assertThat(ok("set_route", Map.of("key", "pr-7", "upstream", upstream))).startsWith("Route \"pr-7\" added;")
        .contains("\"upstream\":\"" + upstream + "\"");
    assertThat(ok("set_route", Map.of("key", "pr-7", "upstream", upstream))).startsWith("Route \"pr-7\" replaced");
    assertThat(proxy.routes().get("pr-7").upstream()).hasToString(upstream);
    assertThat(ok("list_routes", Map.of())).contains("2 routes", "pr-7 -> " + upstream);

    assertThat(failed("set_route", Map.of("key", "pr-8", "upstream", "not a url")))
        .startsWith("The proxy did not set route \"pr-8\": HTTP 400 bad_request: upstream is not a URL");
    assertThat(failed("set_route", Map.of("key", "pr-8", "rules", List.of(Map.of("mock", Map.of("status", 503))))))
        .contains("HTTP 400", "rules[0]: a rule needs a string \"path\"", "Its answer: {\"error\":\"bad_request\"");
    assertThat(failed("set_route", Map.of("key", "pr-8"))).startsWith("set_route needs upstream");

    assertThat(ok("remove_route", Map.of("key", "pr-7"))).startsWith("Route \"pr-7\" removed");
    assertThat(ok("remove_route", Map.of("key", "pr-7"))).startsWith("No route for \"pr-7\": nothing to remove");
    assertThat(proxy.routes().get("pr-7")).isNull();
  }

  @Test
  void setRouteTakesAnOverrideAndRulesAsTheProxyHoldsThem() {
    String dev = "http://127.0.0.1:1";
    String set = ok("set_route", Map.of("key", "pr-9", "override", dev, "exceptStatus", List.of(404), "rules", List.of(
        Map.of("method", "GET", "path", "/orders/{id}", "mock", Map.of("status", 418, "body", Map.of("mocked", true))),
        Map.of("path", "/payments/**", "fault", Map.of("status", 503, "share", 0.25)))));
    assertThat(set).startsWith("Route \"pr-9\" added;").contains("\"override\":\"" + dev + "\"", "\"exceptStatus\":[404]");
    try {
      // No traffic here: the other tests count what this proxy captured. RouteRulesTest serves the rules.
      RouteSpec held = proxy.routes().get("pr-9");
      assertThat(held.upstream()).isNull();
      assertThat(held.override()).isEqualTo(new RouteSpec.Override(java.net.URI.create(dev), java.util.Set.of(404)));
      assertThat(held.rules()).containsExactly(
          new RouteSpec.Rule("GET", "/orders/{id}", new RouteSpec.Mock(418, Map.of("content-type", "application/json"),
              "{\"mocked\":true}")),
          new RouteSpec.Rule(null, "/payments/**", new RouteSpec.Fault(503, 0, false, 0.25)));
      assertThat(ok("list_routes", Map.of())).contains("pr-9 -> baseline; override " + dev + " except status [404];"
          + " rules [{\"method\":\"GET\",\"path\":\"/orders/{id}\",\"mock\"");
      assertThat(failed("set_route", Map.of("key", "pr-9", "rules", List.of(Map.of("path", "/a", "fault",
          Map.of("reset", true, "status", 503)))))).contains("HTTP 400", "not both");
    } finally {
      ok("remove_route", Map.of("key", "pr-9"));
    }
  }

  /** What the acceptance check does: raw JSON-RPC lines in, and nothing but JSON-RPC lines out. */
  @Test
  void stdoutCarriesNothingButProtocolMessages() throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.addAll(childArgs("--from", recorder.baseUri().toString()));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (OutputStream in = p.getOutputStream()) {
      for (String line : List.of(
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
              + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}",
          "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
          "this is not json",
          "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"search_traffic\","
              + "\"arguments\":{\"query\":\"routingKey:demo-v2\"}}}")) {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
      }
      Map<Integer, JsonNode> answers = new HashMap<>();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      while (answers.size() < 4) {
        String line = out.readLine();
        assertThat(line).as("stdout ended early").isNotNull();
        JsonNode n = JSON.readTree(line);
        assertThat(n.path("jsonrpc").asText()).as(line).isEqualTo("2.0");
        answers.put(n.path("id").isNull() ? 0 : n.path("id").asInt(), n);
      }
      assertThat(answers.get(0).at("/error/code").asInt()).as("a malformed line is a parse error").isEqualTo(-32700);
      assertThat(answers.get(1).at("/result/protocolVersion").asText()).isEqualTo("2025-06-18");
      JsonNode tools = answers.get(2).at("/result/tools");
      assertThat(tools.size()).isEqualTo(5);
      JsonNode result = answers.get(3).get("result");
      assertThat(result.get("isError").asBoolean()).isFalse();
      assertThat(result.at("/content/0/text").asText()).contains("/orders");
    }
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("exits when stdin closes").isTrue();
    assertThat(p.exitValue()).isZero();
  }
}
