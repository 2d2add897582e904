package dev.tapline.recorder;

import static dev.tapline.recorder.Fixtures.exchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tapline.core.Exchange;
import dev.tapline.core.Ids;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveStreamTest {
  @TempDir Path dir;

  /**
   * Follows the live tail the way the viewer does: reads a response to its end, noting exchange ids
   * and the last event id, then asks again after the response's {@code retry:} delay, sending that
   * id as {@code Last-Event-ID}.
   */
  static final class SseClient implements AutoCloseable {
    final BlockingQueue<String> ids = new LinkedBlockingQueue<>();
    final AtomicInteger responses = new AtomicInteger();
    private final URI base;
    private final String query;
    private volatile String lastEventId;
    private volatile boolean closed;
    private final Thread reader;

    SseClient(URI base, String query, String lastEventId) {
      this.base = base;
      this.query = query;
      this.lastEventId = lastEventId;
      reader = Thread.ofVirtual().start(this::follow);
      // The first answer fixes the position: what is indexed from here on is seen.
      await().atMost(Duration.ofSeconds(10)).until(() -> responses.get() >= 1);
    }

    private void follow() {
      try {
        while (!closed) {
          long retry = read(get(base, query, lastEventId));
          responses.incrementAndGet();
          Thread.sleep(retry);
        }
      } catch (InterruptedException | IOException e) {
        // closed
      }
    }

    /** Reads one response; returns its retry: delay. */
    private long read(HttpResponse<InputStream> r) throws IOException {
      long retry = HttpApi.RECONNECT_MILLIS;
      try (BufferedReader br = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        for (String line = br.readLine(); line != null; line = br.readLine()) {
          if (line.startsWith("id: ")) {
            lastEventId = line.substring(4);
            if (!lastEventId.startsWith(LiveStream.SEQ_PREFIX)) {
              ids.add(lastEventId);
            }
          } else if (line.startsWith("retry: ")) {
            retry = Long.parseLong(line.substring(7));
          }
        }
      }
      return retry;
    }

    List<String> take(int n, Duration timeout) throws InterruptedException {
      List<String> out = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < n && System.nanoTime() < deadline) {
        String id = ids.poll(100, TimeUnit.MILLISECONDS);
        if (id != null) {
          out.add(id);
        }
      }
      return out;
    }

    @Override
    public void close() {
      closed = true;
      reader.interrupt();
    }
  }

  static HttpResponse<InputStream> get(URI base, String query, String lastEventId) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/api/stream?follow=false&q=" + Fixtures.q(query)));
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> r = Fixtures.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    return r;
  }

  /** One whole response: its body and how long it took. */
  record Answer(String body, long millis) {
    List<String> exchangeIds() {
      return body.lines().filter(l -> l.startsWith("id: ") && !l.startsWith("id: " + LiveStream.SEQ_PREFIX))
          .map(l -> l.substring(4)).toList();
    }

    String position() {
      List<String> ids = body.lines().filter(l -> l.startsWith("id: ")).toList();
      return ids.getLast().substring(4);
    }
  }

  static Answer ask(URI base, String query, String lastEventId) throws IOException, InterruptedException {
    long start = System.nanoTime();
    try (InputStream in = get(base, query, lastEventId).body()) {
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new Answer(body, (System.nanoTime() - start) / 1_000_000);
    }
  }

  @Test
  void aResponseEndsAsSoonAsItHasCaughtUpWithThePositionToAskFromNext() throws Exception {
    String topic = SharedKafka.uniqueTopic("tail");
    try (Recorder r = Recorder.start(Fixtures.config(topic, dir).build())) {
      // Nothing to send: the answer comes at once rather than after waiting for traffic.
      List<Answer> idle = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        idle.add(ask(r.baseUri(), "service:orders", null));
      }
      for (Answer a : idle) {
        assertThat(a.body()).startsWith("retry: " + HttpApi.RECONNECT_MILLIS + "\n\n").endsWith("event: end\nid: @-1\ndata: {}\n\n");
      }
      assertThat(idle.stream().mapToLong(Answer::millis).min().orElseThrow())
          .as("fastest of five idle answers, ms").isLessThan(HttpApi.MAX_OPEN_MILLIS);
      String from = idle.getFirst().position();

      long now = Ids.nowMicros();
      List<Exchange> all = List.of(
          exchange("orders", null, "GET", "/a", 200, "", "{}", now),
          exchange("orders", null, "GET", "/b", 200, "", "{}", now + 1),
          exchange("users", null, "GET", "/c", 200, "", "{}", now + 2),
          exchange("orders", null, "GET", "/d", 200, "", "{}", now + 3));
      Fixtures.produce(topic, all);
      await().atMost(Duration.ofSeconds(60)).until(() -> r.index().size() == all.size());

      Answer next = ask(r.baseUri(), "service:orders", from);
      assertThat(next.exchangeIds()).containsExactly(all.get(0).id(), all.get(1).id(), all.get(3).id());
      assertThat(next.body()).endsWith("data: {}\n\n");
      assertThat(next.position()).startsWith(LiveStream.SEQ_PREFIX).isNotEqualTo(from);
      // from there on nothing new, and from an exchange id what came after it
      assertThat(ask(r.baseUri(), "service:orders", next.position()).exchangeIds()).isEmpty();
      assertThat(ask(r.baseUri(), "service:orders", all.get(1).id()).exchangeIds()).containsExactly(all.get(3).id());
    }
  }

  @Test
  void byDefaultOneResponseFollowsTheTailAsExchangesAreIndexed() throws Exception {
    String topic = SharedKafka.uniqueTopic("follow");
    try (Recorder r = Recorder.start(Fixtures.config(topic, dir).build())) {
      HttpResponse<InputStream> resp = Fixtures.HTTP.send(
          HttpRequest.newBuilder(r.baseUri().resolve("/api/stream?q=" + Fixtures.q("service:orders"))).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(resp.statusCode()).isEqualTo(200);
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = Thread.ofVirtual().start(() -> {
        try (BufferedReader br = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
          for (String line = br.readLine(); line != null; line = br.readLine()) {
            lines.add(line);
          }
          lines.add("<end of response>");
        } catch (IOException e) {
          // closed by the test
        }
      });
      try {
        assertThat(lines.poll(10, TimeUnit.SECONDS)).isEqualTo("retry: " + HttpApi.RECONNECT_MILLIS);
        long now = Ids.nowMicros();
        List<Exchange> all = List.of(
            exchange("orders", null, "GET", "/a", 200, "", "{}", now),
            exchange("users", null, "GET", "/b", 200, "", "{}", now + 1),
            exchange("orders", null, "GET", "/c", 200, "", "{}", now + 2));
        Fixtures.produce(topic, all);
        List<String> ids = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ids.size() < 2 && System.nanoTime() < deadline) {
          String line = lines.poll(100, TimeUnit.MILLISECONDS);
          if (line != null && line.startsWith("id: ")) {
            ids.add(line.substring(4));
          }
          assertThat(line).as("the response stays open").isNotEqualTo("<end of response>");
        }
        assertThat(ids).containsExactly(all.get(0).id(), all.get(2).id());
      } finally {
        reader.interrupt();
        resp.body().close();
      }
    }
  }

  @Test
  void aClientSeesNewMatchingExchangesInOrderAndResumesAfterLastEventId() throws Exception {
    String topic = SharedKafka.uniqueTopic("stream");
    try (Recorder r = Recorder.start(Fixtures.config(topic, dir).build());
        SseClient client = new SseClient(r.baseUri(), "service:orders", null)) {
      List<Exchange> all = new ArrayList<>();
      List<String> orders = new ArrayList<>();
      long now = Ids.nowMicros();
      for (int i = 0; i < 120; i++) {
        boolean isOrder = i % 6 != 0;
        // one partition key per service: Kafka keeps each service's exchanges in order
        Exchange e = exchange(isOrder ? "orders" : "users", null, "GET", "/x/" + i, 200, "", "{}", now + i);
        all.add(e);
        if (isOrder) {
          orders.add(e.id());
        }
      }
      Fixtures.produce(topic, all.subList(0, 60));
      List<String> first = client.take(50, Duration.ofSeconds(60));
      // every response ends; the next one resumes at its position, so nothing is missed
      int answered = client.responses.get();
      await().atMost(Duration.ofSeconds(15)).until(() -> client.responses.get() > answered);
      Fixtures.produce(topic, all.subList(60, 120));
      List<String> seen = new ArrayList<>(first);
      seen.addAll(client.take(orders.size() - first.size(), Duration.ofSeconds(60)));
      assertThat(seen).containsExactlyElementsOf(orders);
      assertThat(client.take(1, Duration.ofMillis(500))).isEmpty();

      try (SseClient again = new SseClient(r.baseUri(), "service:orders", orders.get(49))) {
        assertThat(again.take(orders.size() - 50, Duration.ofSeconds(30)))
            .containsExactlyElementsOf(orders.subList(50, orders.size()));
      }
    }
  }

  @Test
  void aClientThatStopsReadingIsDroppedAndDoesNotSlowIngest() throws Exception {
    String topic = SharedKafka.uniqueTopic("slow");
    RecorderConfig config = Fixtures.config(topic, dir).streamQueue(64).slowClientTimeout(Duration.ofMillis(500)).build();
    try (Recorder r = Recorder.start(config);
        SseClient fast = new SseClient(r.baseUri(), "", null);
        Socket slow = new Socket()) {
      // ~4 KB per event: a few thousand events are more than the socket buffers hold
      int n = 2_000;
      List<Exchange> all = new ArrayList<>(n);
      long now = Ids.nowMicros();
      String padding = "x".repeat(2000);
      for (int i = 0; i < n; i++) {
        all.add(exchange("orders", null, "GET", "/orders/" + i + "/" + padding, 200, "", "{}", now + i));
      }
      Fixtures.produce(topic, all.subList(0, n / 2));
      await().atMost(Duration.ofSeconds(120)).until(() -> r.index().size() == n / 2);

      // A client that asks for everything from the start and then never reads.
      slow.setReceiveBufferSize(4096);
      slow.connect(new InetSocketAddress("127.0.0.1", r.httpPort()));
      slow.getOutputStream().write(("GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: "
          + LiveStream.SEQ_PREFIX + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      slow.getOutputStream().flush();

      // Ingest goes on at full speed while it stalls.
      Fixtures.produce(topic, all.subList(n / 2, n));
      await().atMost(Duration.ofSeconds(120)).until(() -> r.index().size() == n);
      await().atMost(Duration.ofSeconds(30)).until(() -> r.metricsText().contains("tapline_recorder_stream_dropped_total 1.0"));
      // the fast client still got everything
      assertThat(fast.take(n, Duration.ofSeconds(120))).hasSize(n);
      // the server closed the slow connection: reading it to the end terminates
      slow.setSoTimeout(10_000);
      InputStream in = slow.getInputStream();
      byte[] buf = new byte[64 * 1024];
      while (in.read(buf) >= 0) {
        // drain
      }
    }
  }

  @Test
  void theStreamShowsExchangesAsTheyAreDecodedBeforeTheIndexHasThem() throws Exception {
    String topic = SharedKafka.uniqueTopic("fresh");
    // The index refreshes once an hour: whatever the stream shows comes from the decoded batches.
    RecorderConfig config = Fixtures.config(topic, dir).refreshInterval(Duration.ofHours(1)).build();
    String query = "service:orders AND status:[500 TO 599] AND body:\"out of stock\"";
    try (Recorder r = Recorder.start(config);
        SseClient client = new SseClient(r.baseUri(), query, null)) {
      long now = Ids.nowMicros();
      List<Exchange> all = new ArrayList<>();
      List<String> matching = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String service = i % 5 == 0 ? "users" : "orders";
        int status = i % 2 == 0 ? 503 : 200;
        // the words of the phrase in another order do not match it
        String body = i % 3 == 0 ? "{\"error\":\"stock out of\"}" : "{\"error\":\"item " + i + " is out of stock\"}";
        Exchange e = exchange(service, null, "GET", "/orders/" + i, status, "", body, now + i);
        all.add(e);
        if (service.equals("orders") && status == 503 && i % 3 != 0) {
          matching.add(e.id());
        }
      }
      Fixtures.produce(topic, all);

      assertThat(client.take(matching.size(), Duration.ofSeconds(60))).containsExactlyElementsOf(matching);
      assertThat(r.index().search("service:orders", 50, null).items()).as("nothing is searchable yet").isEmpty();
      assertThat(client.take(1, Duration.ofMillis(500))).isEmpty();
      // resuming after an exchange the index does not show yet goes on right after it
      try (SseClient again = new SseClient(r.baseUri(), query, matching.get(2))) {
        assertThat(again.take(matching.size() - 3, Duration.ofSeconds(30)))
            .containsExactlyElementsOf(matching.subList(3, matching.size()));
      }
      // and a position past them all is where the next request starts: nothing twice
      Answer caughtUp = ask(r.baseUri(), query, null);
      assertThat(ask(r.baseUri(), query, caughtUp.position()).exchangeIds()).isEmpty();

      r.index().refresh();
      assertThat(r.index().search("service:orders", 50, null).items()).hasSize(32);
      Answer fromIndex = ask(r.baseUri(), query, LiveStream.SEQ_PREFIX + "-1");
      assertThat(fromIndex.exchangeIds()).as("the same exchanges from the index").containsExactlyElementsOf(matching);
    }
  }
}
