package dev.tapline.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Between an upstream HTTP/2 stream's {@code Http2StreamFrameToHttpObjectCodec} and its {@link
 * BackendHandler}: a request goes with {@code te: trailers} (gRPC servers look for it; the proxy
 * passes trailers on), the conversion's {@code x-http2-stream-id} is dropped from responses, and a
 * response that came as one HEADERS frame (bodiless, or gRPC's trailers-only answer) is handed on
 * as a head and an empty end, as an HTTP/1.1 connection would give it.
 */
final class Http2ClientStream extends ChannelDuplexHandler {

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpRequest req) {
      req.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpResponse r) {
      r.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
      if (msg instanceof FullHttpResponse full) {
        DefaultHttpResponse head = new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers());
        ctx.fireChannelRead(head);
        ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }
}
