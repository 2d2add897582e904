package dev.tapline.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import org.jspecify.annotations.Nullable;

/**
 * Pipeline of a client connection. Every connection starts as HTTP/1.1: the client's clocks
 * ({@link ClientTimeouts}), HTTP/1.1 server codec (request line up to 8 KiB, else 414; headers up
 * to 16 KiB, else 431), {@link FrontendHandler}. No aggregator: bodies stream. Then:
 *
 * <ul>
 *   <li>on a TLS listener ({@link ListenerTls}), TLS comes first, and when ALPN chooses {@code h2}
 *       the HTTP/1.1 handlers give way to HTTP/2 ones ({@link Http2Frontend.Alpn});
 *   <li>on a plain listener, a connection that opens with the HTTP/2 preface becomes HTTP/2 (h2c by
 *       prior knowledge, {@link PriorKnowledge}).
 * </ul>
 *
 * A connection over a cap ({@link ConnectionLimits}) gets no pipeline: it is closed before anything
 * is read from it.
 */
final class FrontendInitializer extends ChannelInitializer<Channel> {
  static final int MAX_REQUEST_LINE = 8192;
  static final int MAX_HEADER_SIZE = 16 * 1024;

  private final ProxyState state;
  private final @Nullable ListenerTls tls;

  FrontendInitializer(ProxyState state) {
    this(state, null);
  }

  FrontendInitializer(ProxyState state, @Nullable ListenerTls tls) {
    this.state = state;
    this.tls = tls;
  }

  @Override
  protected void initChannel(Channel ch) {
    ConnectionLimits.Admission admission = state.limits.admit(ch);
    if (admission != ConnectionLimits.Admission.ADMITTED) {
      state.metrics.refused(admission);
      ch.close();
      return;
    }
    HttpDecoderConfig decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_REQUEST_LINE)
        .setMaxHeaderSize(MAX_HEADER_SIZE)
        .setMaxChunkSize(64 * 1024);
    ProxyConfig config = state.config;
    ClientTimeouts timeouts = new ClientTimeouts(config.clientHeaderTimeout(), config.clientBodyTimeout(),
        config.clientIdleTimeout());
    ChannelPipeline p = ch.pipeline();
    ListenerTls t = tls;
    if (t != null) {
      // The handshake counts against the head timeout (it is part of getting a request in).
      p.addLast("tls", t.newHandler(ch.alloc(), config.clientHeaderTimeout().toMillis()))
          .addLast("alpn", new Http2Frontend.Alpn(state))
          .addLast("timeouts", timeouts);
    } else {
      p.addLast("timeouts", timeouts)
          .addLast("h2c", new PriorKnowledge(state));
    }
    p.addLast("http", new HttpServerCodec(decoder))
        .addLast("frontend", new FrontendHandler(state, timeouts, t != null ? ClientConnection.TLS_H1
            : ClientConnection.PLAIN_H1));
  }
}
