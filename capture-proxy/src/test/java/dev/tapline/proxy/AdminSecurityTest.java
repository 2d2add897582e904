package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.proxy.RawHttp.Reply;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin port decides where requests go: only a caller with the token may read or change the
 * route table, a web page cannot reach it through DNS rebinding, and a route table fills up to its
 * cap with keys that are safe to log and to put in a header.
 */
class AdminSecurityTest {
  static final String TOKEN = "s3cret-admin-token";
  static final URI SANDBOX = URI.create("http://127.0.0.1:9");
  static TestUpstream upstream;
  static HttpClient http;

  @BeforeAll
  static void start() {
    upstream = TestUpstream.start("baseline");
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    upstream.close();
    http.close();
  }

  static ProxyConfig.Builder config() {
    return ProxyConfig.builder().service("orders").baseline(upstream.uri()).admin("127.0.0.1", 0);
  }

  static HttpResponse<String> call(CaptureProxy proxy, String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.adminUri() + path))
        .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), BodyHandlers.ofString());
  }

  static String route(URI upstream) {
    return "{\"upstream\":\"" + upstream + "\"}";
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return TestUpstream.JSON.readTree(r.body());
  }

  /** A request with a Host of our choosing, which HttpClient does not allow. */
  static Reply raw(CaptureProxy proxy, String method, String path, String host, String body) throws Exception {
    try (Socket s = RawHttp.connect(proxy.adminPort())) {
      RawHttp.send(s, method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + body.length()
          + "\r\nConnection: close\r\n\r\n" + body);
      return RawHttp.read(s.getInputStream(), false);
    }
  }

  @Test
  void requiresTheTokenOnRoutesAndMetricsButNotOnHealthz() throws Exception {
    try (CaptureProxy proxy = CaptureProxy.start(config().adminToken(TOKEN).build())) {
      assertThat(call(proxy, "GET", "/healthz", null).statusCode()).isEqualTo(200);

      HttpResponse<String> put = call(proxy, "PUT", "/routes/demo-v2", route(SANDBOX));
      assertThat(put.statusCode()).isEqualTo(401);
      assertThat(json(put).get("error").asText()).isEqualTo("unauthorized");
      assertThat(put.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(proxy.routes().snapshot()).isEmpty();
      assertThat(call(proxy, "GET", "/routes", null).statusCode()).isEqualTo(401);
      assertThat(call(proxy, "GET", "/metrics", null).statusCode()).isEqualTo(401);
      assertThat(call(proxy, "DELETE", "/routes/demo-v2", null, "Authorization", "Bearer wrong").statusCode())
          .isEqualTo(401);

      String[] auth = {"Authorization", "Bearer " + TOKEN};
      assertThat(call(proxy, "PUT", "/routes/demo-v2", route(SANDBOX), auth).statusCode()).isEqualTo(201);
      assertThat(json(call(proxy, "GET", "/routes", null, auth)).at("/demo-v2/upstream").asText()).isEqualTo(SANDBOX.toString());
      assertThat(call(proxy, "GET", "/metrics", null, auth).body()).contains("tapline_proxy_requests_total");
      assertThat(call(proxy, "DELETE", "/routes/demo-v2", null, auth).statusCode()).isEqualTo(204);
    }
  }

  @Test
  void answers421ToAHostThatDoesNotNameTheLoopbackAdminPort() throws Exception {
    try (CaptureProxy proxy = CaptureProxy.start(config().adminAllowedHosts(List.of("tapline.internal")).build())) {
      // A page on attacker.example that rebinds its name to 127.0.0.1 sends its own name as Host.
      Reply put = raw(proxy, "PUT", "/routes/demo-v2", "attacker.example:" + proxy.adminPort(), route(SANDBOX));
      assertThat(put.status()).isEqualTo(421);
      assertThat(put.json().get("error").asText()).isEqualTo("misdirected_request");
      assertThat(proxy.routes().snapshot()).isEmpty();
      assertThat(raw(proxy, "GET", "/healthz", "attacker.example", "").status()).isEqualTo(421);

      assertThat(raw(proxy, "PUT", "/routes/demo-v2", "localhost:" + proxy.adminPort(), route(SANDBOX)).status())
          .isEqualTo(201);
      assertThat(raw(proxy, "GET", "/routes", "tapline.internal", "").status()).isEqualTo(200);
      assertThat(raw(proxy, "GET", "/routes", "127.0.0.1:" + proxy.adminPort(), "").status()).isEqualTo(200);
    }
  }

  @Test
  void refusesRoutingKeysOutsideThePrintableSetWithA400SayingWhy() throws Exception {
    try (CaptureProxy proxy = CaptureProxy.start(config().build())) {
      for (String bad : List.of("a%20b", "a%00b", "%0D%0AX-Injected:%201", "a%2Fb", "%C3%A9t%C3%A9", "k".repeat(129))) {
        HttpResponse<String> r = call(proxy, "PUT", "/routes/" + bad, route(SANDBOX));
        assertThat(r.statusCode()).as(bad).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("bad_request");
        assertThat(json(r).get("detail").asText()).contains("routing key");
      }
      assertThat(json(call(proxy, "PUT", "/routes/a%20b", route(SANDBOX))).get("detail").asText())
          .contains("A-Z a-z 0-9", "U+0020");
      assertThat(raw(proxy, "PUT", "/routes/%zz", "localhost", route(SANDBOX)).status()).isEqualTo(400);
      assertThat(proxy.routes().snapshot()).isEmpty();

      assertThat(call(proxy, "PUT", "/routes/pr-7+hot.fix~1:ann@team", route(SANDBOX)).statusCode()).isEqualTo(201);
      assertThat(call(proxy, "PUT", "/routes/" + "k".repeat(128), route(SANDBOX)).statusCode()).isEqualTo(201);
      assertThat(proxy.routes().snapshot()).containsKeys("pr-7+hot.fix~1:ann@team", "k".repeat(128));
    }
    assertThatThrownBy(() -> config().sandbox("has space", SANDBOX).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("routing key");
  }

  @Test
  void capsTheRouteTableAndSaysWhatTheCapIs() throws Exception {
    try (CaptureProxy proxy = CaptureProxy.start(config().sandbox("one", SANDBOX).maxRoutes(2).build())) {
      assertThat(call(proxy, "PUT", "/routes/two", route(SANDBOX)).statusCode()).isEqualTo(201);
      HttpResponse<String> full = call(proxy, "PUT", "/routes/three", route(SANDBOX));
      assertThat(full.statusCode()).isEqualTo(409);
      assertThat(json(full).get("error").asText()).isEqualTo("conflict");
      assertThat(json(full).get("maxRoutes").asInt()).isEqualTo(2);
      assertThat(json(full).get("detail").asText()).contains("2 routes", "--max-routes");
      // Replacing a route, or removing one first, is fine at the cap.
      assertThat(call(proxy, "PUT", "/routes/two", route(upstream.uri())).statusCode()).isEqualTo(200);
      assertThat(call(proxy, "DELETE", "/routes/one", null).statusCode()).isEqualTo(204);
      assertThat(call(proxy, "PUT", "/routes/three", route(SANDBOX)).statusCode()).isEqualTo(201);
      assertThat(proxy.routes().snapshot()).containsOnlyKeys("two", "three");
      assertThatThrownBy(() -> proxy.routes().put("four", SANDBOX)).isInstanceOf(RouteTable.FullException.class);
    }
    assertThatThrownBy(() -> config().sandboxes(Map.of("a", SANDBOX, "b", SANDBOX)).maxRoutes(1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRoutes (1)");
  }
}
