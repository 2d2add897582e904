package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** WebSocket upgrades pass through as a raw tunnel and are not captured, to plain and TLS upstreams. */
class WebSocketTunnelTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"http", "https"})
  void tunnelsAWebSocketConversationWithoutCapturingIt(String scheme) throws Exception {
    TestCerts certs = scheme.equals("https") ? TestCerts.make(dir, "ws", "SAN=ip:127.0.0.1") : null;
    SslContext serverTls = certs == null ? null : SslContextBuilder.forServer(certs.keyManagers()).build();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              if (serverTls != null) {
                ch.pipeline().addLast(serverTls.newHandler(ch.alloc()));
              }
              ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                  new WebSocketServerProtocolHandler("/ws"), new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                      ctx.writeAndFlush(new TextWebSocketFrame("echo:" + f.text()));
                    }
                  });
            }
          }).bind("127.0.0.1", 0).sync().channel();
      int port = ((InetSocketAddress) server.localAddress()).getPort();
      try (CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder().service("ws")
          .baseline(URI.create(scheme + "://127.0.0.1:" + port)).upstreamCa(certs == null ? null : certs.pem())
          .capture(CapturePolicy.ALL)
          .sink(ExchangeSink.custom(e -> received.add("captured " + e.request().path()))).build())) {
        WebSocket ws = http.newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"), new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                received.add(data.toString());
                w.request(1);
                return CompletableFuture.completedFuture(null);
              }
            }).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
          ws.sendText("hello " + i, true).get(5, TimeUnit.SECONDS);
          assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo:hello " + i);
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(proxy.metrics().scrape()).contains("tapline_proxy_requests_total{status=\"1xx\",target=\"baseline\"} 1.0");
      } finally {
        server.close().sync();
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
