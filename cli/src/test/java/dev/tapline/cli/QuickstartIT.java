package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart, outside in: the real executable runs {@code up --demo} on free ports; requests go
 * through the proxy; {@code tail} and the recorder API show what was captured.
 */
class QuickstartIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir static Path data;
  private static TaplineProcess up;
  private static String proxy;
  private static String recorder;
  private static String kafka;

  @BeforeAll
  static void startTheDemo() throws Exception {
    int proxyPort = TaplineProcess.freePort();
    int httpPort = TaplineProcess.freePort();
    int kafkaPort = TaplineProcess.freePort();
    up = TaplineProcess.start("up", "--demo", "--proxy-port", "" + proxyPort, "--http-port", "" + httpPort,
        "--kafka-port", "" + kafkaPort, "--data-dir", data.toString());
    up.awaitLine(l -> l.startsWith("tapline ready"), Duration.ofSeconds(120));
    proxy = "http://127.0.0.1:" + proxyPort;
    recorder = "http://127.0.0.1:" + httpPort;
    kafka = "127.0.0.1:" + kafkaPort;
  }

  @AfterAll
  static void stop() throws Exception {
    if (up != null) {
      assertThat(up.stop(Duration.ofSeconds(30))).as("exit code after SIGTERM").isIn(0, 130, 143);
    }
  }

  private static HttpResponse<String> get(String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> postOrder(String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy + "/orders"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"customer\":\"ann\",\"items\":[{\"sku\":\"A-1\",\"quantity\":2,\"price\":9.99}]}"));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void routesByKeyCapturesIntoKafkaAndRedactsSecrets() throws Exception {
    HttpResponse<String> sandbox = postOrder("baggage", "sd-routing-key=demo-v2", "Authorization", "Bearer it-s3cret");
    HttpResponse<String> baseline = postOrder("Authorization", "Bearer it-s3cret");
    assertThat(sandbox.statusCode()).isEqualTo(201);
    assertThat(JSON.readTree(sandbox.body()).has("customerName")).as("v2 shape from the sandbox").isTrue();
    assertThat(baseline.statusCode()).isEqualTo(201);
    assertThat(JSON.readTree(baseline.body()).has("customer")).as("v1 shape from the baseline").isTrue();

    TaplineProcess.Result tail = TaplineProcess.run(Duration.ofSeconds(60),
        "tail", "--kafka", kafka, "--from-beginning", "--limit", "2", "--idle-timeout", "30s");
    assertThat(tail.exitCode()).as(String.join("\n", tail.err())).isZero();
    List<JsonNode> exchanges = new ArrayList<>();
    for (String line : tail.out()) {
      exchanges.add(JSON.readTree(line));
    }
    assertThat(exchanges).hasSize(2);
    assertThat(String.join("\n", tail.out())).doesNotContain("it-s3cret");
    JsonNode sandboxed = exchanges.stream().filter(e -> "demo-v2".equals(e.path("routingKey").asText(null))).findFirst().orElseThrow();
    assertThat(sandboxed.get("target").asText()).isEqualTo("sandbox:demo-v2");
    assertThat(sandboxed.at("/response/status").asInt()).isEqualTo(201);
    assertThat(sandboxed.at("/request/body/text").asText()).contains("\"customer\":\"ann\"");
    assertThat(sandboxed.get("redactions").toString()).contains("request.header:authorization");
    JsonNode base = exchanges.stream().filter(e -> e.path("routingKey").isMissingNode() || e.path("routingKey").isNull()).findFirst().orElseThrow();
    assertThat(base.get("target").asText()).isEqualTo("baseline");
  }

  @Test
  void demoTrafficBecomesSearchableByRoutingKey() throws Exception {
    TaplineProcess.Result traffic = TaplineProcess.run(Duration.ofSeconds(120),
        "demo-traffic", "--target", proxy, "--routing-key", "demo-v2", "--requests", "40");
    assertThat(traffic.exitCode()).as(String.join("\n", traffic.err())).isZero();
    String q = URLEncoder.encode("routingKey:demo-v2", StandardCharsets.UTF_8);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode page = JSON.readTree(get(recorder + "/api/exchanges?limit=200&q=" + q).body());
      assertThat(page.get("items").size()).isGreaterThanOrEqualTo(40);
    });
    JsonNode endpoints = JSON.readTree(get(recorder + "/api/endpoints?service=orders").body());
    assertThat(endpoints.toString()).contains("/orders/{orderId}");
  }

  @Test
  void badFlagsExitWithTwoAndOneLine() throws Exception {
    TaplineProcess.Result r = TaplineProcess.run(Duration.ofSeconds(30), "proxy", "--listen", "nope:xx");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().get(0)).contains("--listen");
  }
}
