package dev.tapline.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Exchange;
import dev.tapline.core.Ids;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recorders in consumer groups of their own each build a whole index from the same topic: replicas
 * that any HTTP load balancer can put behind one address, since both answer every call the same way
 * (a cursor from one pages on the other). When one stops, the other keeps answering and indexing.
 */
class RecorderReplicasTest {
  @TempDir Path dir;

  /** Round robin over the replicas, skipping one that does not answer: what a load balancer does. */
  static final class Balancer {
    private final List<URI> replicas;
    private final AtomicInteger next = new AtomicInteger();

    Balancer(List<URI> replicas) {
      this.replicas = replicas;
    }

    HttpResponse<String> get(String pathAndQuery) {
      RuntimeException last = null;
      for (int tries = 0; tries < replicas.size(); tries++) {
        URI base = replicas.get(Math.floorMod(next.getAndIncrement(), replicas.size()));
        try {
          return Fixtures.get(base, pathAndQuery);
        } catch (RuntimeException e) {
          last = e; // connection refused: the next replica
        }
      }
      throw last;
    }
  }

  @Test
  void twoReplicasIndexTheWholeTopicAndEitherAnswersWhenTheOtherStops() throws Exception {
    String topic = SharedKafka.uniqueTopic("replicas");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    List<Exchange> first = exchanges(0, 600);
    Fixtures.produce(topic, first);

    Recorder a = Recorder.start(Fixtures.config(topic, dir.resolve("a")).groupId("replica-a").build());
    try (Recorder b = Recorder.start(Fixtures.config(topic, dir.resolve("b")).groupId("replica-b").build())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> a.index().size() == first.size() && b.index().size() == first.size());
      Set<String> expected = ids(first);
      assertThat(exportedIds(a.baseUri())).isEqualTo(expected);
      assertThat(exportedIds(b.baseUri())).isEqualTo(expected);

      // Behind a balancer the pages come from both, and a cursor from one replica pages on the other.
      Balancer lb = new Balancer(List.of(a.baseUri(), b.baseUri()));
      Set<String> paged = new HashSet<>();
      String cursor = null;
      do {
        JsonNode page = Fixtures.json(lb.get("/api/exchanges?limit=50&q=" + Fixtures.q("service:orders")
            + (cursor == null ? "" : "&cursor=" + cursor)));
        page.get("items").forEach(i -> paged.add(i.get("id").asText()));
        cursor = page.hasNonNull("nextCursor") ? page.get("nextCursor").asText() : null;
      } while (cursor != null);
      assertThat(paged).isEqualTo(ids(first.stream().filter(e -> e.service().equals("orders")).toList()));

      // One replica stops; the other goes on indexing and answering every call.
      a.close();
      List<Exchange> second = exchanges(600, 300);
      Fixtures.produce(topic, second);
      await().atMost(Duration.ofSeconds(60)).until(() -> b.index().size() == first.size() + second.size());
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> r = lb.get("/api/exchanges?limit=1&q=" + Fixtures.q("path:\"/orders/899\""));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Fixtures.json(r).get("items").get(0).get("id").asText()).isEqualTo(second.getLast().id());
      }
    } finally {
      a.close();
    }
  }

  /** Exchanges of several services and routing keys, so that every partition gets some. */
  private static List<Exchange> exchanges(int from, int n) {
    List<Exchange> out = new ArrayList<>(n);
    long now = Ids.nowMicros();
    for (int i = from; i < from + n; i++) {
      String service = i % 4 == 0 ? "users" : "orders";
      String key = i % 3 == 0 ? null : "sandbox-" + i % 7;
      out.add(Fixtures.exchange(service, key, "GET", "/orders/" + i, 200, "", "{\"n\":" + i + "}", now - 10_000 + i));
    }
    return out;
  }

  private static Set<String> ids(List<Exchange> exchanges) {
    Set<String> out = new HashSet<>();
    exchanges.forEach(e -> out.add(e.id()));
    return out;
  }

  private static Set<String> exportedIds(URI base) throws IOException {
    HttpResponse<String> r = Fixtures.get(base, "/api/export");
    assertThat(r.statusCode()).isEqualTo(200);
    Set<String> out = new HashSet<>();
    List<String> lines = r.body().lines().toList();
    for (String line : lines) {
      out.add(dev.tapline.core.ExchangeCodec.mapper().readTree(line).get("id").asText());
    }
    assertThat(out).as("no exchange twice").hasSize(lines.size());
    return out;
  }
}
