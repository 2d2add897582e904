package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tapline.proxy.RawHttp.Reply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow and greedy clients on real loopback sockets: a head must be complete in time however the
 * bytes trickle in, a body must keep moving, and one address (or everyone together) can open only
 * so many connections. Timeouts here are a few hundred milliseconds, so a proxy that only had its
 * 60 s idle timeout fails on the sockets' 5 s read timeout.
 */
class ClientLimitsTest {
  static final Duration SHORT = Duration.ofMillis(400);
  static TestUpstream upstream;
  final ScheduledExecutorService dripper = Executors.newSingleThreadScheduledExecutor();
  final List<Socket> sockets = new ArrayList<>();

  @BeforeAll
  static void start() {
    upstream = TestUpstream.start("baseline");
  }

  @AfterAll
  static void stop() {
    upstream.close();
  }

  @AfterEach
  void closeSockets() throws IOException {
    dripper.shutdownNow();
    for (Socket s : sockets) {
      s.close();
    }
  }

  static ProxyConfig.Builder config() {
    return ProxyConfig.builder().service("orders").baseline(upstream.uri());
  }

  Socket connect(CaptureProxy proxy, String localAddress) throws IOException {
    Socket s = new Socket(InetAddress.getByName("127.0.0.1"), proxy.port(), InetAddress.getByName(localAddress), 0);
    s.setSoTimeout(5_000);
    sockets.add(s);
    return s;
  }

  /** Sends {@code text} one byte every 50 ms, from another thread, until it is sent or the socket fails. */
  void drip(Socket s, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    AtomicInteger next = new AtomicInteger();
    dripper.scheduleAtFixedRate(() -> {
      int i = next.getAndIncrement();
      if (i < bytes.length) {
        try {
          s.getOutputStream().write(bytes[i]);
          s.getOutputStream().flush();
        } catch (IOException e) {
          throw new IllegalStateException(e); // ends the repetition
        }
      }
    }, 0, 50, TimeUnit.MILLISECONDS);
  }

  static boolean closedByPeer(Socket s) {
    try {
      return s.getInputStream().read() == -1;
    } catch (SocketException e) {
      return true; // reset
    } catch (IOException e) {
      return false; // read timed out: still open
    }
  }

  @Test
  void answers408WhenAHeadTricklesInForLongerThanTheHeaderTimeout() throws Exception {
    try (CaptureProxy proxy = CaptureProxy.start(config().clientHeaderTimeout(SHORT).build())) {
      Socket s = connect(proxy, "127.0.0.1");
      long started = System.nanoTime();
      // 2 s worth of header bytes at one per 50 ms: every byte arrives well within any idle timeout.
      drip(s, "GET /slow HTTP/1.1\r\nHost: a\r\nX-Padding: " + "p".repeat(40) + "\r\n\r\n");
      Reply r = RawHttp.read(s.getInputStream(), false);
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.json().get("error").asText()).isEqualTo("request_timeout");
      assertThat(r.json().get("detail").asText()).contains("request head", "400 ms");
      assertThat(took).isBetween(350L, 1_900L);
      assertThat(closedByPeer(s)).isTrue();
      assertThat(upstream.received).noneMatch(m -> m.get("path").equals("/slow"));
      assertThat(proxy.metrics().scrape()).contains("tapline_proxy_requests_total{status=\"4xx\",target=\"proxy\"} 1.0");
    }
  }

  @Test
  void timesTheNextHeadOnAKeepAliveConnectionFromItsFirstByte() throws Exception {
    try (CaptureProxy proxy = CaptureProxy.start(config().clientHeaderTimeout(SHORT).build())) {
      Socket s = connect(proxy, "127.0.0.1");
      InputStream in = s.getInputStream();
      RawHttp.send(s, "GET /first?quiet HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(RawHttp.read(in, false).status()).isEqualTo(200);
      RawHttp.send(s, "GET /second?quiet HTTP/1.1\r\nHost: a\r\n"); // and never the blank line
      long started = System.nanoTime();
      assertThat(RawHttp.read(in, false).status()).isEqualTo(408);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(300L, 1_900L);
    }
  }

  @Test
  void closesANewConnectionThatSendsNothingWithinTheHeaderTimeoutWithoutAnswering() throws Exception {
    try (CaptureProxy proxy = CaptureProxy.start(config().clientHeaderTimeout(SHORT).build())) {
      Socket s = connect(proxy, "127.0.0.1");
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void answers408WhenABodyStallsForTheBodyTimeoutButNotWhileItKeepsMoving() throws Exception {
    try (CaptureProxy proxy = CaptureProxy.start(config().clientBodyTimeout(SHORT).build())) {
      Socket moving = connect(proxy, "127.0.0.1");
      RawHttp.send(moving, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 30\r\n\r\n");
      drip(moving, "x".repeat(30)); // 1.5 s in all, never 400 ms without a byte
      Reply ok = RawHttp.read(moving.getInputStream(), false);
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.json().get("length").asInt()).isEqualTo(30);

      Socket stalled = connect(proxy, "127.0.0.1");
      RawHttp.send(stalled, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly ten b");
      Reply r = RawHttp.read(stalled.getInputStream(), false);
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.json().get("detail").asText()).contains("request body", "400 ms");
      assertThat(closedByPeer(stalled)).isTrue();
    }
  }

  @Test
  void timesTheBodyOfAPipelinedRequestThatArrivedBehindAnother() throws Exception {
    try (CaptureProxy proxy = CaptureProxy.start(config().clientBodyTimeout(SHORT).build())) {
      Socket s = connect(proxy, "127.0.0.1");
      // One write: a whole request, then one whose body stops half-way; the proxy was already reading.
      RawHttp.send(s, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
          + "PUT /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n worl");
      InputStream in = s.getInputStream();
      assertThat(RawHttp.read(in, false).status()).isEqualTo(200);
      assertThat(RawHttp.read(in, false).status()).isEqualTo(408);
      assertThat(closedByPeer(s)).isTrue();
    }
  }

  @Test
  void closesConnectionsOverThePerAddressAndTotalCapsAtAcceptAndCountsThem() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (CaptureProxy proxy = CaptureProxy.start(config().maxConnections(4).maxConnectionsPerAddress(2)
        .meterRegistry(registry).build())) {
      List<Socket> admitted = new ArrayList<>();
      for (String from : List.of("127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.2")) {
        Socket s = connect(proxy, from);
        RawHttp.send(s, "GET /ok?quiet HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(RawHttp.read(s.getInputStream(), false).status()).isEqualTo(200);
        admitted.add(s);
      }
      assertThat(closedByPeer(connect(proxy, "127.0.0.3"))).as("over the total cap").isTrue();
      admitted.get(3).close(); // 127.0.0.2 is down to one, the total to three
      await().atMost(Duration.ofSeconds(5)).until(() -> gauge(registry, "tapline.proxy.connections.open") == 3);
      assertThat(closedByPeer(connect(proxy, "127.0.0.1"))).as("over the per-address cap").isTrue();

      Socket fine = connect(proxy, "127.0.0.2");
      RawHttp.send(fine, "GET /ok?quiet HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(RawHttp.read(fine.getInputStream(), false).status()).isEqualTo(200);
      assertThat(count(registry, "total_limit")).isEqualTo(1);
      assertThat(count(registry, "address_limit")).isEqualTo(1);
      assertThat(proxy.metrics().refusedConnectionCount()).isEqualTo(2);
    }
  }

  static double count(PrometheusMeterRegistry r, String reason) {
    Counter c = r.find("tapline.proxy.connections.refused").tag("reason", reason).counter();
    return c == null ? -1 : c.count();
  }

  static double gauge(PrometheusMeterRegistry r, String name) {
    Gauge g = r.find(name).gauge();
    return g == null ? -1 : g.value();
  }
}
