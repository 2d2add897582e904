package dev.tapline.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * On the plain listener, in front of the HTTP/1.1 codec: a connection that opens with the HTTP/2
 * connection preface ({@code PRI * HTTP/2.0...}, RFC 9113 section 3.3, h2c by prior knowledge)
 * becomes an HTTP/2 connection ({@link Http2Frontend}); any other first byte leaves the HTTP/1.1
 * pipeline as it is. Costs an HTTP/1.1 connection one byte comparison; removes itself either way.
 */
final class PriorKnowledge extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final ProxyState state;

  PriorKnowledge(ProxyState state) {
    this.state = state;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
    for (int i = 0; i < n; i++) {
      if (in.getByte(in.readerIndex() + i) != PREFACE.getByte(i)) {
        ctx.pipeline().remove(this); // HTTP/1.x: what was read goes on to the HTTP/1.1 codec
        return;
      }
    }
    if (n == PREFACE.readableBytes()) {
      Http2Frontend.configure(ctx.channel(), state, false, ctx.name());
      ctx.pipeline().remove(this); // the preface and what follows go to the HTTP/2 codec, which checks it
    } else {
      ctx.read(); // a prefix of the preface: read on (AUTO_READ is off)
    }
  }
}
