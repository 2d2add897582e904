package dev.tapline.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Pipeline of a client connection: the client's clocks ({@link ClientTimeouts}), HTTP/1.1 server
 * codec (request line up to 8 KiB, else 414; headers up to 16 KiB, else 431), {@link
 * FrontendHandler}. No aggregator: bodies stream. A connection over a cap ({@link ConnectionLimits})
 * gets no pipeline: it is closed before anything is read from it.
 */
final class FrontendInitializer extends ChannelInitializer<Channel> {
  static final int MAX_REQUEST_LINE = 8192;
  static final int MAX_HEADER_SIZE = 16 * 1024;

  private final ProxyState state;

  FrontendInitializer(ProxyState state) {
    this.state = state;
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
    ch.pipeline()
        .addLast("timeouts", timeouts)
        .addLast("http", new HttpServerCodec(decoder))
        .addLast("frontend", new FrontendHandler(state, timeouts));
  }
}
