package dev.tapline.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Ids;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrashSafetyTest {
  @TempDir Path dir;

  @Test
  void aRecorderKilledMidIngestHoldsEveryExchangeExactlyOnceAfterRestart() throws Exception {
    String topic = SharedKafka.uniqueTopic("crash");
    String group = "crash-group-" + topic;
    int n = 20_000;
    List<Exchange> all = new ArrayList<>(n);
    long now = Ids.nowMicros();
    for (int i = 0; i < n; i++) {
      all.add(Fixtures.exchange(i % 4 == 0 ? "users" : "orders", i % 3 == 0 ? "ann" : null, "POST", "/orders/" + i, 201,
          "{\"customer\":\"ann\",\"items\":[{\"sku\":\"A-" + i + "\",\"quantity\":2}]}",
          "{\"id\":" + i + ",\"status\":\"NEW\",\"total\":19.98}", now - n + i));
    }
    Fixtures.produce(topic, all);
    Path index = dir.resolve("index");

    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        CrashChild.class.getName(), SharedKafka.bootstrap(), topic, group, index.toString())
        .redirectError(dir.resolve("child.err").toFile())
        .start();
    long indexedAtKill;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).as("child output (see child.err)").startsWith("port ");
      URI base = URI.create("http://127.0.0.1:" + line.substring(5));
      long[] indexed = new long[1];
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(5)).until(() -> {
        indexed[0] = Fixtures.indexedTotal(Fixtures.get(base, "/metrics").body());
        return indexed[0] >= 4_000;
      });
      indexedAtKill = indexed[0];
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }
    int committed;
    try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(index))) {
      committed = reader.numDocs();
    }
    // The kill came mid-ingest: part of the topic, not all of it, was durable.
    assertThat(indexedAtKill).isLessThan(n);
    assertThat(committed).isLessThan(n);

    try (Recorder r = Recorder.start(Fixtures.config(topic, index).groupId(group).build())) {
      await().atMost(Duration.ofSeconds(180)).until(() -> r.index().size() >= n);
      // let any redelivery settle, then check for exactly once
      await().atMost(Duration.ofSeconds(30)).until(() -> r.metricsText().contains("tapline_recorder_consumer_lag 0.0"));
      r.index().refresh();
      ByteArrayOutputStream export = new ByteArrayOutputStream();
      long written = r.index().export(null, export);
      List<String> ids = export.toString(StandardCharsets.UTF_8).lines()
          .map(l -> ExchangeCodec.decode(l).id()).toList();
      Set<String> expected = new HashSet<>();
      all.forEach(e -> expected.add(e.id()));
      assertThat(written).isEqualTo(n);
      assertThat(r.index().size()).isEqualTo(n);
      assertThat(new HashSet<>(ids)).hasSize(n).isEqualTo(expected);
    }
  }
}
