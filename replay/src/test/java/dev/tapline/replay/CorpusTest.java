package dev.tapline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Header;
import dev.tapline.core.Headers;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import dev.tapline.core.endpoint.Endpoints;
import dev.tapline.core.endpoint.Resolution;
import dev.tapline.replay.DriftReport.EndpointReport;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The labeled corpus: each file under {@code corpus/} holds a recorded request, two baseline
 * responses (the second defaults to the first), optionally the recorded response, the sandbox
 * response, and the exact differences (path, kind, class) the comparison must report, plus paths it
 * must report as ignored. A request with a GraphQL body is compared per operation ({@code operation}
 * picks one of a batch), and {@code expectedOperation} names the endpoint it is reported under.
 */
class CorpusTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void corpusCoversEveryKindAndAtLeastThirtyCases() throws Exception {
    List<JsonNode> cases = new ArrayList<>();
    for (Path p : files()) {
      cases.add(JSON.readTree(p.toFile()));
    }
    assertThat(cases).hasSizeGreaterThanOrEqualTo(30);
    List<String> kinds = cases.stream().flatMap(c -> stream(c.path("expected"))).map(e -> e.path("kind").asText()).toList();
    for (DiffKind k : DiffKind.values()) {
      if (k != DiffKind.REORDERED) {
        assertThat(kinds).as("a corpus case for " + k.wireName()).contains(k.wireName());
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCorpusCaseReportsExactlyItsLabeledDifferences() throws Exception {
    return files().stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
  }

  private static void check(Path file) throws IOException {
    JsonNode c = JSON.readTree(file.toFile());
    JsonNode expand = c.get("expand");
    Response b1 = response(c.get("baseline"), expand, "b1");
    Response b2 = c.has("baseline2") ? response(c.get("baseline2"), expand, "b2")
        : response(c.get("baseline"), expand, expand != null && expand.path("baseline2Id").asBoolean() ? "b2" : "b1");
    Response sandbox = response(c.get("sandbox"), expand, "s");
    Response recorded = c.has("recorded") ? response(c.get("recorded"), expand, "r") : b1;
    String method = c.path("request").path("method").asText("GET");
    String path = c.path("request").path("path").asText("/orders/1");
    JsonNode requestBody = c.path("request").get("body");
    Body body = requestBody == null ? Body.empty() : Body.of("application/json", JSON.writeValueAsBytes(requestBody));
    Exchange ex = new Exchange("ex-1", 0, 0, "orders", "test", null, Exchange.BASELINE, null, null,
        new Request(method, "http", "orders", path, null, Headers.empty(), body), recorded, null, List.of());
    List<IgnoreRule> rules = new ArrayList<>();
    c.path("ignoreRules").forEach(r -> rules.add(IgnoreRule.parse(r.asText())));

    // GraphQL requests (a body with a query) are compared per operation, as the replayer does.
    List<Resolution> endpoints = Endpoints.defaults().resolveAll(ex.service(), ex.request());
    int operation = c.path("operation").asInt(0);
    Resolution endpoint = endpoints.get(operation);
    EndpointAccumulator acc = new EndpointAccumulator(method, endpoint.key().path(), endpoint.key().operation());
    acc.add(ex.id(), endpoint.key().hasOperation()
        ? Comparison.compareOperations(ex, b1, b2, sandbox, endpoints.size()).get(operation)
        : Comparison.compare(ex, b1, b2, sandbox));
    EndpointReport report = acc.finish(rules);
    if (c.has("expectedOperation")) {
      assertThat(report.name()).isEqualTo(c.get("expectedOperation").asText());
    }

    List<String> actual = report.differences().stream()
        .map(d -> d.path() + " " + d.kind().wireName() + " " + d.driftClass().wireName()).toList();
    List<String> expected = stream(c.get("expected"))
        .map(e -> e.get("path").asText() + " " + e.get("kind").asText() + " " + e.get("class").asText()).toList();
    assertThat(actual).as(c.get("name").asText() + " differences").containsExactlyInAnyOrderElementsOf(expected);
    List<String> ignored = report.ignored().stream().map(DriftReport.Ignored::path).toList();
    assertThat(ignored).as(c.get("name").asText() + " ignored").containsAll(
        stream(c.path("expectedIgnored")).map(JsonNode::asText).toList());
    for (DriftReport.Difference d : report.differences()) {
      assertThat(d.message()).isNotBlank();
      assertThat(d.driftClass()).isEqualTo(d.kind().driftClass());
    }
  }

  private static Response response(JsonNode spec, JsonNode expand, String side) throws IOException {
    List<Header> headers = new ArrayList<>();
    spec.path("headers").forEach(h -> headers.add(new Header(h.get(0).asText(), h.get(1).asText())));
    String ct = null;
    for (Header h : headers) {
      if (h.name().equalsIgnoreCase("Content-Type")) {
        ct = h.value();
      }
    }
    byte[] bytes;
    if (spec.has("text")) {
      bytes = spec.get("text").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } else if (spec.has("body")) {
      JsonNode body = spec.get("body").deepCopy();
      if (expand != null) {
        body = expanded((ObjectNode) body, expand, side);
      }
      bytes = JSON.writeValueAsBytes(body);
    } else {
      bytes = new byte[0];
    }
    return new Response(spec.path("status").asInt(200), new Headers(headers), Body.of(ct, bytes));
  }

  /** Large bodies: {@code count} copies of {@code item}, {@code {i}} replaced by the index. */
  private static JsonNode expanded(ObjectNode body, JsonNode expand, String side) {
    int n = expand.get("count").asInt();
    ArrayNode items = body.putArray("items");
    String template = expand.get("item").toString();
    boolean noisyIds = (side.equals("b2") && expand.path("baseline2Id").asBoolean())
        || (side.equals("s") && expand.path("sandboxId").asBoolean());
    for (int i = 0; i < n; i++) {
      try {
        ObjectNode item = (ObjectNode) JSON.readTree(template.replace("{i}", Integer.toString(i)));
        if (noisyIds) {
          item.put("id", item.get("id").asText() + "-" + side);
        }
        if (side.equals("s") && expand.has("sandboxDrop")) {
          item.remove(expand.get("sandboxDrop").asText());
        }
        items.add(item);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    body.put("total", n);
    return body;
  }

  private static Stream<JsonNode> stream(JsonNode arr) {
    List<JsonNode> out = new ArrayList<>();
    arr.forEach(out::add);
    return out.stream();
  }

  static List<Path> files() throws IOException, URISyntaxException {
    Path dir = Path.of(CorpusTest.class.getResource("/corpus").toURI());
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

}
