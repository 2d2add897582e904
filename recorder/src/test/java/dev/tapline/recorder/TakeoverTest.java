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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorder killed without leaving its consumer group (kill -9: no LeaveGroup, no commit) and
 * started again on the same index takes its partitions back at once, because the index directory
 * holds its static group member id. Without it the new member would wait for the dead one's session
 * to expire (45 s by default) before it got a partition.
 */
class TakeoverTest {
  @TempDir Path dir;

  static List<Exchange> exchanges(int from, int to) {
    List<Exchange> out = new ArrayList<>();
    long now = Ids.nowMicros();
    for (int i = from; i < to; i++) {
      out.add(Fixtures.exchange("service-" + i % 7, null, "GET", "/orders/" + i, 200, "", "{\"id\":" + i + "}", now + i));
    }
    return out;
  }

  @Test
  void aRecorderRestartedAfterACrashResumesWithinSecondsAndIndexesEachExchangeOnce() throws Exception {
    String topic = SharedKafka.uniqueTopic("takeover");
    String group = "takeover-" + topic;
    Path index = dir.resolve("index");
    List<Exchange> before = exchanges(0, 1_000);
    Fixtures.produce(topic, before);

    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        CrashChild.class.getName(), SharedKafka.bootstrap(), topic, group, index.toString())
        .redirectError(dir.resolve("child.err").toFile())
        .start();
    String member;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).as("child output (see child.err)").startsWith("port ");
      URI base = URI.create("http://127.0.0.1:" + line.substring(5));
      await().atMost(Duration.ofSeconds(60)).until(() -> Fixtures.indexedTotal(Fixtures.get(base, "/metrics").body()) >= 1_000);
      member = Files.readString(index.resolve(MemberId.FILE)).trim();
    } finally {
      child.destroyForcibly(); // no clean close: the member stays in the group until its session expires
      child.waitFor();
    }
    List<Exchange> after = exchanges(1_000, 2_000);
    Fixtures.produce(topic, after);

    long started = System.nanoTime();
    try (Recorder r = Recorder.start(Fixtures.config(topic, index).groupId(group).build())) {
      await().atMost(Duration.ofSeconds(40)).until(() -> r.index().size() >= 2_000);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      // 4.5 s on a busy 2-core machine; the session timeout it no longer waits for is 45 s
      assertThat(took).as("time to index what came after the crash").isLessThan(Duration.ofSeconds(30));
      assertThat(Files.readString(index.resolve(MemberId.FILE)).trim()).isEqualTo(member);

      await().atMost(Duration.ofSeconds(30)).until(() -> r.metricsText().contains("tapline_recorder_consumer_lag 0.0"));
      r.index().refresh();
      ByteArrayOutputStream export = new ByteArrayOutputStream();
      long written = r.index().export(null, export);
      List<String> ids = export.toString(StandardCharsets.UTF_8).lines().map(l -> ExchangeCodec.decode(l).id()).toList();
      Set<String> expected = new HashSet<>();
      before.forEach(e -> expected.add(e.id()));
      after.forEach(e -> expected.add(e.id()));
      assertThat(written).isEqualTo(2_000);
      assertThat(ids).doesNotHaveDuplicates();
      assertThat(new HashSet<>(ids)).isEqualTo(expected);
    }
  }
}
