package dev.tapline.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Between an HTTP/2 stream's {@code Http2StreamFrameToHttpObjectCodec} and its {@link
 * FrontendHandler}: what makes the converted request an HTTP/1.1 request like any other, and the
 * response fit HTTP/2.
 *
 * <ul>
 *   <li>In: the conversion's own {@code x-http2-*} headers are removed (never forwarded nor
 *       captured); {@code :authority} and a {@code host} field must agree (RFC 9113 section 8.3.1),
 *       one of them must be there, and a {@code :path} over the request-line limit is a 414. A
 *       request refused here gets the proxy's JSON answer on its stream, like a refused HTTP/1.1
 *       request; one Netty could not convert (a malformed header value or {@code :path}) resets the
 *       stream with PROTOCOL_ERROR, as RFC 9113 section 8.1.1 asks.
 *   <li>Out: a response head followed at once by an empty end (a bodiless response, gRPC's
 *       trailers-only answer) goes as one HEADERS frame that ends the stream, not HEADERS and an
 *       empty DATA frame: a gRPC client reads {@code grpc-status} in the headers only when they end
 *       the stream. The empty buffer {@link FrontendHandler} writes before closing a connection
 *       means nothing on a stream and is dropped.
 * </ul>
 */
final class Http2ServerStream extends ChannelDuplexHandler {
  private static final List<CharSequence> EXTENSION_HEADERS = List.of(
      HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
      HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
      HttpConversionUtil.ExtensionHeaderNames.PATH.text(),
      HttpConversionUtil.ExtensionHeaderNames.STREAM_PROMISE_ID.text(),
      HttpConversionUtil.ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text(),
      HttpConversionUtil.ExtensionHeaderNames.STREAM_WEIGHT.text());

  /** A request this stream refuses; {@link ErrorResponses#rejected} answers 400 with its message. */
  static final class Refused extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  private final ProxyMetrics metrics;
  private @Nullable HttpResponse heldHead;
  private @Nullable ChannelPromise heldPromise;

  Http2ServerStream(ProxyMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest req) { // the first message of the stream
      HttpHeaders h = req.headers();
      for (CharSequence name : EXTENSION_HEADERS) {
        h.remove(name);
      }
      Exception refusal = check(req, h);
      if (msg instanceof FullHttpRequest full) {
        // A request that ended with its headers: a head and an end, as the HTTP/1.1 codec gives them
        // (FrontendHandler forwards the head and then each piece of content).
        HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
        if (refusal != null) {
          head.setDecoderResult(DecoderResult.failure(refusal));
        }
        ctx.fireChannelRead(head);
        ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
        return;
      }
      if (refusal != null) {
        req.setDecoderResult(DecoderResult.failure(refusal));
      }
    }
    ctx.fireChannelRead(msg);
  }

  private static @Nullable Exception check(HttpRequest req, HttpHeaders h) {
    // Netty's conversion already resets a stream whose :authority and host field differ, and keeps one.
    if (!h.contains(HttpHeaderNames.HOST)) {
      return new Refused("an HTTP/2 request must have :authority or Host (RFC 9113 section 8.3.1)");
    }
    if (req.uri().length() > FrontendInitializer.MAX_REQUEST_LINE) {
      return new TooLongHttpLineException(":path is longer than " + FrontendInitializer.MAX_REQUEST_LINE + " bytes");
    }
    return null;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException) {
      // A header block Netty could not turn into an HTTP/1.1 request: malformed, never forwarded.
      metrics.request(ProxyMetrics.TargetTag.PROXY, 400, 0);
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR)).addListener(f -> ctx.close());
      return;
    }
    if (cause instanceof Http2Exception) {
      // A stream error Netty found (a body longer or shorter than its content-length...): the
      // multiplexer resets the stream with its code right after this; FrontendHandler learns by the close.
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b && !b.isReadable()) {
      b.release();
      promise.trySuccess();
      return;
    }
    HttpResponse head = heldHead;
    if (head != null) {
      ChannelPromise first = heldPromise;
      heldHead = null;
      heldPromise = null;
      if (msg instanceof LastHttpContent last && !last.content().isReadable() && last.trailingHeaders().isEmpty()) {
        last.release();
        DefaultFullHttpResponse whole = new DefaultFullHttpResponse(head.protocolVersion(), head.status(),
            Unpooled.EMPTY_BUFFER, head.headers(), HttpHeaders.EMPTY_HEADERS);
        ctx.write(whole, both(ctx, first, promise));
        return;
      }
      ctx.write(head, first);
    }
    if (msg instanceof HttpResponse r && !(msg instanceof HttpContent) && r.status().code() >= 200) {
      heldHead = r;
      heldPromise = promise;
      return;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    HttpResponse head = heldHead;
    if (head != null) {
      ChannelPromise p = heldPromise;
      heldHead = null;
      heldPromise = null;
      ctx.write(head, p);
    }
    ctx.flush();
  }

  private static ChannelPromise both(ChannelHandlerContext ctx, @Nullable ChannelPromise a, ChannelPromise b) {
    if ((a == null || a.isVoid()) && b.isVoid()) {
      return b;
    }
    ChannelPromise p = ctx.newPromise();
    p.addListener(f -> {
      for (ChannelPromise each : new ChannelPromise[] {a, b}) {
        if (each != null) {
          if (f.isSuccess()) {
            each.trySuccess();
          } else {
            each.tryFailure(f.cause());
          }
        }
      }
    });
    return p;
  }
}
