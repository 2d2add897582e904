package dev.tapline.testgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.ExchangeReader;
import dev.tapline.examples.DemoTraffic;
import dev.tapline.examples.OrdersService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator's real test: traffic recorded from the example orders service (V1, the baseline)
 * becomes tests that are compiled with javac and run with the JUnit Platform Launcher against V1
 * (they pass, repeatedly, and on an empty store) and against V2 (the tests that cover the changed
 * fields fail, naming them; the others pass).
 *
 * <p>The committed fixture {@code fixtures/orders-v1.ndjson} was recorded through the real capture
 * proxy and Kafka broker ({@link ProxyRecording}) in front of V1 while {@link DemoTraffic} drove it;
 * re-record with {@code -Dtapline.recordFixture=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompileAndRunTest {
  private static final Path FIXTURE = Path.of("src/test/resources/fixtures/orders-v1.ndjson");
  private static final String PACKAGE = "com.example.orders";

  private Path dir;
  private GeneratedTests fromFixture;
  private GenerationResult result;

  @BeforeAll
  void generateAndCompileTheFixture(@TempDir Path tempDir) throws Exception {
    dir = tempDir;
    if (Boolean.getBoolean("tapline.recordFixture")) {
      List<Exchange> live = record(300, 7L);
      StringBuilder sb = new StringBuilder();
      for (Exchange e : live) {
        sb.append(new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8)).append('\n');
      }
      Files.writeString(FIXTURE, sb.toString(), StandardCharsets.UTF_8);
    }
    try (ExchangeReader source = ExchangeReader.open(FIXTURE.toString(), null)) {
      result = TestGenerator.create(GeneratorOptions.builder(PACKAGE).sourceName("orders-v1.ndjson").build())
          .generate(source, null);
    }
    fromFixture = GeneratedTests.compile(result.files(), dir.resolve("fixture"));
  }

  @AfterAll
  void close() throws IOException {
    fromFixture.close();
  }

  static List<Exchange> record(int requests, long seed) {
    try (OrdersService v1 = OrdersService.start(OrdersService.Version.V1, 0)) {
      return ProxyRecording.record(v1, requests, seed);
    }
  }

  @Test
  void theFixtureCoversEveryEndpointAndTheErrorStatuses() {
    assertThat(result.skipped()).noneMatch(s -> s instanceof GenerationResult.MalformedInput);
    assertThat(result.endpoints()).extracting(e -> e.method() + " " + e.pathTemplate())
        .contains("POST /orders", "GET /orders", "GET /orders/{orderId}", "PATCH /orders/{orderId}", "DELETE /orders/{orderId}");
    assertThat(result.files().get("java/com/example/orders/OrdersContractTest.java"))
        .contains("getOrdersById_returns404", "postOrders_returns400", "patchOrdersById_returns409",
            "order.path(\"id\")", "TaplineTarget.freshUuid()");
  }

  @Test
  void generatedTestsPassAgainstTheBaselineThreeRunsInARow() {
    try (OrdersService v1 = OrdersService.start(OrdersService.Version.V1, 0)) {
      DemoTraffic.run(v1.baseUri(), null, 50, 99L, n -> {}); // a store with other data in it
      for (int run = 1; run <= 3; run++) {
        SortedMap<String, String> results = fromFixture.run(v1.baseUri().toString());
        assertThat(results).as("run %d", run).hasSize(result.scenariosWritten());
        assertThat(GeneratedTests.failures(results)).as("run %d", run).isEmpty();
      }
    }
  }

  @Test
  void generatedTestsPassAgainstAFreshBaselineWithAnEmptyStore() {
    try (OrdersService v1 = OrdersService.start(OrdersService.Version.V1, 0)) {
      assertThat(GeneratedTests.failures(fromFixture.run(v1.baseUri().toString()))).isEmpty();
    }
  }

  @Test
  void againstTheChangedSandboxOnlyTestsCoveringTheChangedFieldsFailAndTheyNameTheField() {
    SortedMap<String, String> results;
    try (OrdersService v2 = OrdersService.start(OrdersService.Version.V2, 0)) {
      results = fromFixture.run(v2.baseUri().toString());
    }
    Map<String, String> failures = GeneratedTests.failures(results);
    assertThat(failures).containsKeys("postOrders_returns201", "getOrdersById_returns200", "patchOrdersById_returns200",
        "getOrders_returns200_2"); // the list test that creates an order first, so its items are checked
    failures.forEach((test, message) -> assertThat(message).as(test).containsAnyOf("customer", "total"));
    List<String> passed = new ArrayList<>();
    results.forEach((test, message) -> {
      if (message.isEmpty()) {
        passed.add(test);
      }
    });
    assertThat(passed).contains("deleteOrdersById_returns204", "getOrdersById_returns404",
        "postOrders_returns400", "patchOrdersById_returns409");
    assertThat(passed).noneMatch(t -> t.startsWith("postOrders_returns201") || t.startsWith("getOrdersById_returns200"));
  }

  @Test
  void testsGeneratedFromTrafficRecordedThroughTheProxyAndBrokerPassAgainstTheServiceTheyWereRecordedFrom()
      throws Exception {
    try (OrdersService v1 = OrdersService.start(OrdersService.Version.V1, 0)) {
      List<Exchange> recorded = ProxyRecording.record(v1, 150, 11L);
      GenerationResult live = TestGenerator.create(GeneratorOptions.builder("com.example.live").build())
          .generate(recorded);
      assertThat(live.scenariosWritten()).isGreaterThanOrEqualTo(8);
      try (GeneratedTests tests = GeneratedTests.compile(live.files(), dir.resolve("live"))) {
        for (int run = 1; run <= 3; run++) {
          assertThat(GeneratedTests.failures(tests.run(v1.baseUri().toString()))).as("run %d", run).isEmpty();
        }
      }
    }
  }
}
