package dev.tapline.testgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.ExchangeReader;
import dev.tapline.core.testing.FakeRecorderExport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generation from streamed input ({@link ExchangeReader}, whose own cases are in core's
 * ExchangeReaderTest) and from exchanges in memory.
 */
class StreamedInputTest {
  private static String ndjson(List<Exchange> exchanges) {
    StringBuilder sb = new StringBuilder();
    for (Exchange e : exchanges) {
      sb.append(new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8)).append('\n');
    }
    return sb.toString();
  }

  @Test
  void aMalformedLineIsSkippedAndReportedWithItsFileAndLineWhileTheRestIsGenerated(@TempDir Path dir) throws IOException {
    List<Exchange> orders = Traffic.orders();
    String lines = ndjson(orders.subList(0, 3)) + "{not json\n\n" + "{\"v\":1,\"id\":\"x\"}\n" + ndjson(orders.subList(3, orders.size()));
    Path file = dir.resolve("traffic.ndjson");
    Files.writeString(file, lines);
    GenerationResult result;
    try (ExchangeReader in = ExchangeReader.open(file.toString(), null)) {
      result = TestGenerator.create(GeneratorOptions.builder("com.example.orders").build()).generate(in, null);
    }
    assertThat(result.exchangesRead()).isEqualTo(orders.size());
    assertThat(result.skipped()).filteredOn(s -> s instanceof GenerationResult.MalformedInput)
        .extracting(GenerationResult.Skipped::describe)
        .satisfiesExactly(
            first -> assertThat(first).startsWith(file + ":4: not JSON"),
            second -> assertThat(second).startsWith(file + ":6: ").contains("request"));
    // The malformed lines changed nothing: the same files as from the clean input.
    assertThat(result.files()).isEqualTo(
        TestGenerator.create(GeneratorOptions.builder("com.example.orders").build()).generate(orders).files());
  }

  @Test
  void testsAreGeneratedFromARecorderExportStream() throws IOException {
    List<String> asked = new CopyOnWriteArrayList<>();
    HttpServer recorder = FakeRecorderExport.start("/api/export", ndjson(Traffic.orders()), asked);
    try (ExchangeReader in = ExchangeReader.open("http://127.0.0.1:" + recorder.getAddress().getPort(), "service:orders AND status:[200 TO 299]")) {
      GenerationResult result = TestGenerator.create(GeneratorOptions.builder("com.example.orders").build()).generate(in, null);
      assertThat(result.exchangesRead()).isEqualTo(Traffic.orders().size());
      assertThat(result.files()).isEqualTo(
          TestGenerator.create(GeneratorOptions.builder("com.example.orders").build()).generate(Traffic.orders()).files());
      assertThat(asked).containsExactly("/api/export?q=service%3Aorders+AND+status%3A%5B200+TO+299%5D");
    } finally {
      recorder.stop(0);
    }
  }

  @Test
  void theUiCanGenerateOneEndpointInMemoryWithTheFlowsItNeeds() {
    TestGenerator generator = TestGenerator.create(GeneratorOptions.builder("com.example.orders").build());
    var files = generator.generateFor(Traffic.orders(), "GET", "/orders/{orderId}");
    assertThat(files).containsKeys("java/com/example/orders/OrdersContractTest.java",
        "java/com/example/orders/TaplineTarget.java",
        "resources/com/example/orders/schemas/orders/get-orders-id-200.json");
    String source = files.get("java/com/example/orders/OrdersContractTest.java");
    assertThat(source).contains("getOrdersById_returns200", "getOrdersById_returns404", ".post(\"/orders\")")
        .doesNotContain("postOrders_returns201", "deleteOrdersById");
  }
}
