package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tapline.core.Exchange;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each socket transport proxies and captures the same way; auto picks the best one that loads. */
class TransportTest {
  static TestUpstream upstream;
  static HttpClient http;

  @BeforeAll
  static void start() {
    upstream = TestUpstream.start("baseline");
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    upstream.close();
    http.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "nio"})
  void proxiesAndCapturesOverEachTransport(String name) throws Exception {
    assumeTrue(!name.equals("io_uring") || IoUring.isAvailable(), "io_uring is not available here");
    assumeTrue(!name.equals("epoll") || Epoll.isAvailable(), "epoll is not available here");
    List<Exchange> seen = new CopyOnWriteArrayList<>();
    try (CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(upstream.uri())
        .capture(CapturePolicy.ALL).transport(name).sink(ExchangeSink.custom(seen::add)).build())) {
      assertThat(proxy.transport()).isEqualTo(name);
      for (int i = 0; i < 3; i++) { // one pooled upstream connection reused
        var reply = http.send(HttpRequest.newBuilder(proxy.uri().resolve("/upload"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + "}")).build(), BodyHandlers.ofString());
        assertThat(reply.statusCode()).isEqualTo(200);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
    }
    assertThat(seen).extracting(e -> new String(e.request().body().bytes(), StandardCharsets.UTF_8))
        .containsExactlyInAnyOrder("{\"n\":0}", "{\"n\":1}", "{\"n\":2}");
  }

  @Test
  void autoTakesIoUringThenEpollThenNio() {
    String expected = IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio";
    assertThat(Transport.of("auto").name()).isEqualTo(expected);
  }

  @Test
  void anUnknownTransportIsRejectedByName() {
    assertThatThrownBy(() -> ProxyConfig.builder().service("orders").baseline(upstream.uri()).transport("dpdk").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("transport must be one of auto, io_uring, epoll, nio: dpdk");
  }
}
