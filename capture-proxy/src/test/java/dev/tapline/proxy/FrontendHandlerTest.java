package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client side's own answers, without sockets: decode errors never reach an upstream. */
class FrontendHandlerTest {
  final ProxyMetrics metrics = new ProxyMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  final ProxyConfig config = ProxyConfig.builder().service("s").baseline(URI.create("http://127.0.0.1:9")).build();
  final CapturePublisher publisher = new CapturePublisher(ExchangeSink.discarding(), config, metrics);
  final Router router = new Router(config.routingKeys(),
      new RouteTable(Upstream.of(config.baseline()), config.routes(), config.maxRoutes()));
  final ProxyState state = new ProxyState(config, router, metrics, publisher, Transport.of(Transport.AUTO),
      ProxyState.clientTls(null));

  @AfterEach
  void close() {
    publisher.close();
  }

  String answer(String request) {
    EmbeddedChannel ch = new EmbeddedChannel(new FrontendInitializer(state));
    ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
    StringBuilder out = new StringBuilder();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    assertThat(ch.isOpen()).as("connection closed after a decode error").isFalse();
    return out.toString();
  }

  @Test
  void answersAGarbageRequestLineWith400() {
    assertThat(answer("NOT HTTP AT ALL\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request")
        .contains("\"error\":\"bad_request\"").contains("Connection: close");
  }

  @Test
  void answersHeadersOver16KibWith431() {
    assertThat(answer("GET / HTTP/1.1\r\nHost: a\r\nX-A: " + "a".repeat(17_000) + "\r\n\r\n"))
        .startsWith("HTTP/1.1 431 Request Header Fields Too Large").contains("headers_too_large");
  }

  @Test
  void answersARequestLineOver8KibWith414() {
    assertThat(answer("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n"))
        .startsWith("HTTP/1.1 414 ");
    assertThat(metrics.scrape()).contains("tapline_proxy_requests_total{status=\"4xx\",target=\"proxy\"} 1.0");
  }
}
