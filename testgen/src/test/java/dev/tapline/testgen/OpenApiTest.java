package dev.tapline.testgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeReader;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenApiTest {
  private static final Path SPEC = Path.of("src/test/resources/openapi/orders.yaml");
  private static final Path FIXTURE = Path.of("src/test/resources/fixtures/orders-v1.ndjson");

  static List<Exchange> fixture() throws IOException {
    List<Exchange> out = new ArrayList<>();
    try (ExchangeReader in = ExchangeReader.open(FIXTURE.toString(), null)) {
      for (ExchangeReader.Item item; (item = in.next()) != null; ) {
        if (item instanceof ExchangeReader.Item.Read r) {
          out.add(r.exchange());
        }
      }
    }
    return out;
  }

  private static GenerationResult generate(List<Exchange> exchanges) {
    return TestGenerator.create(GeneratorOptions.builder("com.example.orders").openApi(SPEC).build())
        .generate(exchanges);
  }

  @Test
  void trafficThatMatchesTheSpecIsReportedAsMatchingWithOperationCoverage() throws IOException {
    List<Exchange> matching = fixture().stream().filter(e -> e.status() != 409).toList();
    String report = generate(matching).files().get(TestGenerator.REPORT_FILE);
    assertThat(report)
        .contains("None: every recorded exchange matches the spec.")
        .contains("| `GET /orders/{orderId}` (getOrderById) | ")
        .contains("5 of 6 operations have traffic; without traffic (no tests): `GET /orders/{orderId}/history` (getOrderHistory).");
  }

  @Test
  void trafficThatContradictsTheSpecIsReportedFieldByField() throws IOException {
    List<Exchange> traffic = new ArrayList<>(fixture());
    traffic.addAll(new Traffic("orders")
        .add("GET", "/orders/3f1c9a1e-0000-4000-8000-000000000001", null, 200,
            "{\"id\":\"3f1c9a1e-0000-4000-8000-000000000001\",\"customerName\":\"ann\",\"items\":[],"
                + "\"total\":\"19.98\",\"currency\":\"EUR\",\"status\":\"NEW\","
                + "\"createdAt\":\"2026-11-26T10:00:00Z\",\"updatedAt\":\"2026-11-26T10:00:00Z\"}")
        .add("GET", "/healthz", null, 200, "{\"status\":\"ok\"}")
        .exchanges());
    String report = generate(traffic).files().get(TestGenerator.REPORT_FILE);
    assertThat(report)
        .contains("- Undocumented endpoint: `GET /healthz` (1 exchanges)")
        .contains("- Undocumented status: `PATCH /orders/{orderId}` → 409")
        .contains("- Undocumented field: `GET /orders/{orderId}` → 200: `customerName`")
        .contains("- Undocumented field: `GET /orders/{orderId}` → 200: `currency`")
        .contains("- Type mismatch: `GET /orders/{orderId}` → 200: `total` is string in the traffic, the spec says number")
        .contains("- Missing required field: `GET /orders/{orderId}` → 200: `customer` is absent in 1 of ")
        .doesNotContain("`POST /orders` → 201");
  }

  @Test
  void testsAreNamedAfterOperationIdsAndUseTheSpecsPathTemplates() throws IOException {
    String source = generate(fixture()).files().get("java/com/example/orders/OrdersContractTest.java");
    assertThat(source)
        .contains("void getOrderById_returns200()", "void createOrder_returns201()", "void deleteOrder_returns204()")
        .contains("@DisplayName(\"GET /orders/{orderId} → 200\")")
        .contains(".pathParam(\"orderId\", orderId)", ".get(\"/orders/{orderId}\")");
  }

  @Test
  void anInvalidSpecIsRejectedWithTheFileNamed(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "openapi: 3.0.3\ninfo: {title: x}\npaths:\n  /a:\n    get: {responses: 12}\n");
    assertThatThrownBy(() -> TestGenerator.create(GeneratorOptions.builder("a.b").openApi(bad).build()))
        .isInstanceOf(TestGenerator.InvalidSpecException.class)
        .hasMessageStartingWith(bad + ": not a valid OpenAPI 3 document: ");
  }

  @Test
  void theInferredSpecIsValidOpenApi31WithPathsParametersSchemasAndExamples() throws IOException {
    TestGenerator.InferredSpec spec = TestGenerator.create(GeneratorOptions.builder("x.y").build()).inferSpec(fixture());
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(spec.yaml(), null, options);
    assertThat(parsed.getMessages()).isEmpty();
    assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
    assertThat(parsed.getOpenAPI().getPaths()).containsOnlyKeys("/orders", "/orders/{orderId}");
    var get = parsed.getOpenAPI().getPaths().get("/orders/{orderId}").getGet();
    assertThat(get.getParameters()).extracting(p -> p.getName() + ":" + p.getIn()).containsExactly("orderId:path");
    assertThat(get.getResponses()).containsKeys("200", "404");
    var order = get.getResponses().get("200").getContent().get("application/json");
    assertThat((java.util.List<Object>) new java.util.ArrayList<Object>(order.getSchema().getRequired())).contains("id", "customer", "total");
    assertThat(order.getExample()).isNotNull();
    var list = parsed.getOpenAPI().getPaths().get("/orders").getGet();
    assertThat(list.getParameters()).extracting(p -> p.getName() + ":" + p.getIn()).containsExactly("page:query", "size:query");
    assertThat(parsed.getOpenAPI().getPaths().get("/orders").getPost().getRequestBody().getContent()).containsKey("application/json");
    // Deterministic: the same traffic in reverse gives the same document.
    List<Exchange> reversed = new ArrayList<>(fixture());
    java.util.Collections.reverse(reversed);
    assertThat(TestGenerator.create(GeneratorOptions.builder("x.y").build()).inferSpec(reversed).yaml()).isEqualTo(spec.yaml());
  }
}
