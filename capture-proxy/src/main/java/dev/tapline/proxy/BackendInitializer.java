package dev.tapline.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** Pipeline of an upstream connection: response timeout, HTTP/1.1 client codec, {@link BackendHandler}. */
final class BackendInitializer extends ChannelInitializer<Channel> {
  private final ProxyState state;

  BackendInitializer(ProxyState state) {
    this.state = state;
  }

  @Override
  protected void initChannel(Channel ch) {
    HttpDecoderConfig decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(8192)
        .setMaxHeaderSize(64 * 1024)
        .setMaxChunkSize(64 * 1024);
    ch.pipeline()
        .addLast("idle", new IdleStateHandler(state.config.responseTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
        .addLast("http", new HttpClientCodec(decoder, false, false))
        .addLast("backend", new BackendHandler());
  }
}
