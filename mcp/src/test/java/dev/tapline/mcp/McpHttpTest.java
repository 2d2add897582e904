package dev.tapline.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.api.RecorderClient;
import dev.tapline.core.http.HttpEdge;
import dev.tapline.core.testing.TestExchanges;
import dev.tapline.core.testing.TestTopics;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tapline mcp --http}: the SDK's own streamable HTTP client against the server on a real
 * recorder, and what the edge turns away (no token, a foreign Origin, a foreign Host).
 */
class McpHttpTest {
  private static final String TOKEN = "mcp-http-secret";
  private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
      + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";

  @TempDir static Path dir;
  static Recorder recorder;
  static TaplineMcp.Http server;

  @BeforeAll
  static void start() throws Exception {
    List<Exchange> traffic = List.of(
        TestExchanges.getOrder(11, 200),
        TestExchanges.exchange("GET", "/orders/42", "demo-v2", Body.empty(), 200,
            Body.text("application/json", "{\"id\":42,\"total\":\"12.50\"}"), null));
    String topic = SharedKafka.uniqueTopic("mcp-http");
    TestTopics.publish(SharedKafka.bootstrap(), topic, traffic);
    recorder = Recorder.start(RecorderConfig.builder().kafka(SharedKafka.bootstrap()).topic(topic).groupId("g-" + topic)
        .indexDir(dir.resolve("index")).token(TOKEN).build());
    await().atMost(Duration.ofSeconds(30)).until(() -> recorder.index().size() == traffic.size());
    TaplineMcp mcp = TaplineMcp.builder(RecorderClient.builder(recorder.baseUri().toString()).token(TOKEN).build()).build();
    server = mcp.serveHttp("127.0.0.1", 0, HttpEdge.token(TOKEN));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (recorder != null) {
      recorder.close();
    }
  }

  private static McpSyncClient client(String token) {
    URI uri = server.uri();
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
        .builder("http://" + uri.getAuthority())
        .endpoint(uri.getPath())
        .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
        .requestBuilder(java.net.http.HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
        .build();
    return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
  }

  @Test
  void theSdkClientListsTheToolsAndSearchesASandboxWithTheToken() {
    try (McpSyncClient client = client(TOKEN)) {
      McpSchema.InitializeResult init = client.initialize();
      assertThat(init.serverInfo().name()).isEqualTo("tapline");
      assertThat(init.instructions()).contains("search_traffic");
      List<McpSchema.Tool> tools = client.listTools().tools();
      assertThat(tools).extracting(McpSchema.Tool::name)
          .containsExactly("search_traffic", "get_exchange", "list_endpoints", "generate_tests", "check_drift");
      McpSchema.CallToolResult r = call(client, "search_traffic", Map.of("query", "routingKey:demo-v2"));
      assertThat(r.isError()).isFalse();
      assertThat(text(r)).contains("1 exchange matching `routingKey:demo-v2`", "GET /orders/42 -> 200", "[demo-v2]");
      McpSchema.CallToolResult bad = call(client, "search_traffic", Map.of("service", "ordrs"));
      assertThat(bad.isError()).isTrue();
      assertThat(text(bad)).contains("No exchanges match `service:ordrs`", "services seen: orders");
    }
  }

  @Test
  void aWrongTokenIsTurnedAwayBeforeAnyToolRuns() {
    try (McpSyncClient client = client("wrong")) {
      assertThatThrownBy(client::initialize).hasStackTraceContaining("Authorization error");
    }
  }

  @Test
  void theEdgeAnswers401WithoutToken403ForAForeignOriginAnd421ForAForeignHost() throws IOException {
    int port = server.uri().getPort();
    String host = "127.0.0.1:" + port;
    String auth = "Authorization: Bearer " + TOKEN;
    assertThat(status(post(port, host, INIT))).isEqualTo(401);
    String ok = post(port, host, INIT, auth, "Origin: http://localhost:6274");
    assertThat(status(ok)).isEqualTo(200);
    assertThat(ok).contains("\"serverInfo\":{\"name\":\"tapline\"");
    String foreignOrigin = post(port, host, INIT, auth, "Origin: https://evil.example");
    assertThat(status(foreignOrigin)).isEqualTo(403);
    assertThat(foreignOrigin).contains("\"error\":\"forbidden\"");
    String foreignHost = post(port, "evil.example:" + port, INIT, auth);
    assertThat(status(foreignHost)).isEqualTo(421);
    assertThat(foreignHost).contains("\"error\":\"misdirected_request\"");
  }

  @Test
  void getHasNoStreamAndAMalformedMessageIsAJsonRpcParseError() throws IOException {
    int port = server.uri().getPort();
    String host = "127.0.0.1:" + port;
    String auth = "Authorization: Bearer " + TOKEN;
    String get = raw(port, "GET /mcp HTTP/1.1\r\nHost: " + host + "\r\n" + auth + "\r\nConnection: close\r\n\r\n");
    assertThat(status(get)).isEqualTo(405);
    assertThat(get).containsIgnoringCase("Allow: POST");
    String garbage = post(port, host, "{not json", auth);
    assertThat(status(garbage)).isEqualTo(400);
    assertThat(garbage).contains("\"code\":-32700");
    String oldVersion = post(port, host, INIT, auth, "MCP-Protocol-Version: 1999-01-01");
    assertThat(status(oldVersion)).isEqualTo(400);
    assertThat(oldVersion).contains("unsupported MCP-Protocol-Version 1999-01-01");
    String note = post(port, host, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", auth);
    assertThat(status(note)).isEqualTo(202);
  }

  private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
    return client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(args).build());
  }

  private static String text(McpSchema.CallToolResult r) {
    return ((McpSchema.TextContent) r.content().get(0)).text();
  }

  private static String post(int port, String host, String body, String... headers) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder r = new StringBuilder("POST /mcp HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
        + "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: "
        + b.length + "\r\n");
    for (String h : headers) {
      r.append(h).append("\r\n");
    }
    return raw(port, r.append("\r\n").append(body).toString());
  }

  /** One raw HTTP/1.1 exchange, so Host and Origin are exactly what the test writes. */
  private static String raw(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }
}
