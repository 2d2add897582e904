package dev.tapline.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Pipeline of a client connection: idle timeout, HTTP/1.1 server codec (request line up to 8 KiB,
 * else 414; headers up to 16 KiB, else 431), {@link FrontendHandler}. No aggregator: bodies stream.
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
    HttpDecoderConfig decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_REQUEST_LINE)
        .setMaxHeaderSize(MAX_HEADER_SIZE)
        .setMaxChunkSize(64 * 1024);
    ch.pipeline()
        .addLast("idle", new IdleStateHandler(state.config.clientIdleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
        .addLast("http", new HttpServerCodec(decoder))
        .addLast("frontend", new FrontendHandler(state));
  }
}
