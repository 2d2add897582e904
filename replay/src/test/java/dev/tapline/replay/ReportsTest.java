package dev.tapline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.examples.OrdersService;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The four reports, written from a real V1-vs-V2 replay whose recorded values are hostile. */
class ReportsTest {
  static final String HOSTILE = "<script>alert(\"pwn\")</script>&amp;";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static OrdersService v1;
  static OrdersService v2;
  static DriftReport report;

  @BeforeAll
  static void replayHostileTraffic() throws Exception {
    v1 = OrdersService.start(OrdersService.Version.V1, 0);
    v2 = OrdersService.start(OrdersService.Version.V2, 0);
    for (OrdersService s : List.of(v1, v2)) {
      new Recording(s.baseUri()).call("POST", "/orders", "{\"customer\":\"ann\",\"items\":[{\"sku\":\"A-1\",\"quantity\":1,\"price\":2}]}");
    }
    Recording rec = new Recording(v1.baseUri());
    String body = JSON.createObjectNode().put("customer", HOSTILE)
        .set("items", JSON.readTree("[{\"sku\":\"<img src=x onerror=alert(1)>\",\"quantity\":1,\"price\":1.5}]")).toString();
    rec.call("POST", "/orders", body);
    rec.call("GET", "/orders?page=0&size=5", null);
    report = Replayer.create(ReplayOptions.builder().baselineAndSandbox(v1.baseUri(), v2.baseUri())
        .methods(Set.of("GET", "POST")).build()).replay(rec.exchanges());
    ReportWriter.writeAll(report, dir);
  }

  @AfterAll
  static void stop() {
    v1.close();
    v2.close();
  }

  @Test
  void writesTheFourReports() throws Exception {
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("junit.xml", "summary.md", "report.html", "drift.json");
    }
  }

  @Test
  void htmlReportRendersHostileRecordedValuesAsText() throws Exception {
    String html = Files.readString(dir.resolve("report.html"));
    assertThat(html).doesNotContain("<script").doesNotContain("<img");
    assertThat(html).contains("&lt;script&gt;alert(\\&quot;pwn\\&quot;)&lt;/script&gt;&amp;amp;");
    assertThat(html).contains("<style>").doesNotContain("<link").doesNotContain(" src=").doesNotContain("http-equiv");
    assertThat(html).contains("POST /orders").contains("$.customer").contains("field-renamed");
  }

  @Test
  void junitReportHasOneTestCasePerEndpointAndFailuresListTheDifferences() throws Exception {
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("junit.xml").toFile());
    NodeList cases = doc.getElementsByTagName("testcase");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < cases.getLength(); i++) {
      names.add(((Element) cases.item(i)).getAttribute("name"));
    }
    assertThat(names).containsExactlyInAnyOrder("GET /orders", "POST /orders");
    Element post = (Element) cases.item(names.indexOf("POST /orders"));
    Element failure = (Element) post.getElementsByTagName("failure").item(0);
    assertThat(failure.getAttribute("type")).isEqualTo("breaking");
    assertThat(failure.getTextContent()).contains("$.customer").contains("$.total").contains("$.currency").contains(HOSTILE.replace("\"", "\\\""));
    Element suite = (Element) doc.getElementsByTagName("testsuite").item(0);
    assertThat(suite.getAttribute("tests")).isEqualTo("2");
    assertThat(suite.getAttribute("failures")).isEqualTo("2");
  }

  @Test
  void markdownSummaryIsAPullRequestCommentTable() throws Exception {
    String md = Files.readString(dir.resolve("summary.md"));
    assertThat(md).startsWith("### ❌ Tapline replay: contract drift:");
    assertThat(md).contains("| Endpoints checked | 2 |").contains("| Breaking | " + report.counts().breaking() + " |");
    assertThat(md).contains("| **breaking** | `POST /orders` | `$.customer` | field renamed to customerName");
    assertThat(md).doesNotContain("<script");
  }

  @Test
  void driftJsonHasExactlyTheDocumentedShape() throws Exception {
    JsonNode j = JSON.readTree(dir.resolve("drift.json").toFile());
    assertThat(names(j)).containsExactly("v", "runId", "startedAt", "finishedAt", "baseline", "sandbox", "routingKey",
        "failOn", "verdict", "counts", "endpoints");
    assertThat(j.get("v").asInt()).isEqualTo(1);
    assertThat(j.get("routingKey").isNull()).isTrue();
    assertThat(j.get("failOn").asText()).isEqualTo("breaking");
    assertThat(j.get("verdict").asText()).isEqualTo("drift");
    assertThat(java.time.Instant.parse(j.get("startedAt").asText())).isBeforeOrEqualTo(java.time.Instant.parse(j.get("finishedAt").asText()));
    assertThat(names(j.get("counts"))).containsExactly("endpoints", "exchanges", "breaking", "compatible", "ignored");
    JsonNode ep = j.get("endpoints").get(1);
    assertThat(names(ep)).containsExactly("method", "template", "exchanges", "verdict", "differences", "ignored");
    assertThat(ep.get("method").asText() + " " + ep.get("template").asText()).isEqualTo("POST /orders");
    assertThat(ep.get("verdict").asText()).isEqualTo("breaking");
    JsonNode total = null;
    for (JsonNode d : ep.get("differences")) {
      assertThat(names(d)).containsExactly("path", "kind", "class", "baseline", "sandbox", "exchangeId", "message");
      if (d.get("path").asText().equals("$.total")) {
        total = d;
      }
    }
    assertThat(total).isNotNull();
    assertThat(total.get("kind").asText()).isEqualTo("type-changed");
    assertThat(total.get("class").asText()).isEqualTo("breaking");
    assertThat(total.get("baseline").isNumber()).isTrue();
    assertThat(total.get("sandbox").asText()).isEqualTo("1.50");
    assertThat(total.get("message").asText()).isEqualTo("type changed from number to string");
    assertThat(names(ep.get("ignored").get(0))).containsExactly("path", "reason");
  }

  @Test
  void publishesDriftJsonToKafkaKeyedByRunId() throws Exception {
    String topic = SharedKafka.uniqueTopic("drift");
    DriftPublisher.publish(SharedKafka.bootstrap(), topic, report, Duration.ofSeconds(20));
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "replay-test-" + topic);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
        c.poll(Duration.ofMillis(200)).forEach(got::add);
        return !got.isEmpty();
      });
      ConsumerRecord<byte[], byte[]> rec = got.get(0);
      assertThat(new String(rec.key(), StandardCharsets.UTF_8)).isEqualTo(report.runId());
      assertThat(rec.value()).isEqualTo(ReportWriter.json().toBytes(report));
      assertThat(new String(rec.headers().lastHeader(ExchangeCodec.SCHEMA_HEADER).value(), StandardCharsets.UTF_8)).isEqualTo("1");
      assertThat(JSON.readTree(new ByteArrayInputStream(rec.value())).get("runId").asText()).isEqualTo(report.runId());
    }
  }

  @Test
  void exitCodesFollowTheVerdict() {
    assertThat(new DriftReport.Pass().exitCode()).isZero();
    assertThat(new DriftReport.Drift(1, 0).exitCode()).isEqualTo(1);
    assertThat(new DriftReport.TargetFailure("sandbox", "down").exitCode()).isEqualTo(3);
    assertThat(report.exitCode()).isEqualTo(1);
  }

  @Test
  void failOnDecidesWhetherCompatibleDifferencesFailTheRun() {
    assertThat(FailOn.BREAKING.fails(DriftClass.COMPATIBLE)).isFalse();
    assertThat(FailOn.COMPATIBLE.fails(DriftClass.COMPATIBLE)).isTrue();
    assertThat(FailOn.NONE.fails(DriftClass.BREAKING)).isFalse();
    assertThat(FailOn.parse("Compatible")).isEqualTo(FailOn.COMPATIBLE);
  }

  @Test
  void anEndpointInErrorSaysWhyInEveryReport() throws Exception {
    DriftReport failed = new DriftReport("run-e", java.time.Instant.EPOCH, java.time.Instant.EPOCH, "http://b", "http://s",
        null, FailOn.BREAKING, new DriftReport.Pass(), new DriftReport.Counts(1, 2, 0, 0, 0), 0,
        List.of(new DriftReport.EndpointReport("GET", "/orders/{orderId}", 2, DriftReport.EndpointVerdict.ERROR, List.of(),
            List.of(), List.of("ex-1: sandbox: connection refused", "ex-2: sandbox: connection refused"))));
    java.io.ByteArrayOutputStream md = new java.io.ByteArrayOutputStream();
    new MarkdownReport().write(failed, md);
    assertThat(md.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("- `GET /orders/{orderId}`: ex-1: sandbox: connection refused (and 1 more in `report.html`)");
    java.io.ByteArrayOutputStream xml = new java.io.ByteArrayOutputStream();
    new JunitReport().write(failed, xml);
    assertThat(xml.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("message=\"every exchange failed (2): ex-1: sandbox: connection refused\"");
  }

  static List<String> names(JsonNode n) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      out.add(e.getKey());
    }
    return out;
  }
}
