package dev.tapline.testgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Target, routing key and credentials come from the run, never from the (redacted) recording. */
class TargetSettingsTest {
  @Test
  void generatedTestsSendTheConfiguredRoutingKeyAndHeadersAndNoRecordedCredentials(@TempDir Path dir) throws Exception {
    var exchanges = new Traffic("orders")
        .add("GET", "/orders?page=0&size=5", null, 200, "{\"items\":[],\"page\":0,\"size\":5,\"total\":0}")
        .exchanges();
    GenerationResult result = TestGenerator.create(GeneratorOptions.builder("com.example.t").build()).generate(exchanges);
    assertThat(String.join("\n", result.files().values())).doesNotContain("[REDACTED]");
    assertThat(result.files().get("java/com/example/t/OrdersContractTest.java")).doesNotContain("Authorization");

    List<Map<String, List<String>>> seen = new CopyOnWriteArrayList<>();
    HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
    stub.createContext("/", ex -> {
      seen.add(Map.copyOf(ex.getRequestHeaders()));
      byte[] b = "{\"items\":[],\"page\":0,\"size\":5,\"total\":7}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      }
    });
    stub.start();
    try (GeneratedTests tests = GeneratedTests.compile(result.files(), dir)) {
      var results = tests.run("http://127.0.0.1:" + stub.getAddress().getPort(), Map.of(
          "tapline.routingKey", "pr-42",
          "tapline.headers", "Authorization: Bearer t0k3n; X-Tenant: acme"));
      assertThat(GeneratedTests.failures(results)).isEmpty();
    } finally {
      stub.stop(0);
    }
    assertThat(seen).hasSize(1);
    Map<String, List<String>> headers = seen.get(0);
    assertThat(headers.get("Baggage")).containsExactly("sd-routing-key=pr-42");
    assertThat(headers.get("Sd-routing-key")).containsExactly("pr-42");
    assertThat(headers.get("Authorization")).containsExactly("Bearer t0k3n");
    assertThat(headers.get("X-tenant")).containsExactly("acme");
  }
}
