package dev.tapline.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * The upstream side of one pooled connection: hands the response to the {@link FrontendHandler}
 * it is attached to. Attached for one exchange at a time; idle (in the pool) it owns nothing and
 * closes on any unexpected input. Same event loop as its frontend, so plain fields suffice.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
  private @Nullable FrontendHandler frontend;
  private @Nullable InFlight exchange;
  private @Nullable Throwable failure;
  private boolean skippingInformational;

  void attach(FrontendHandler f, InFlight x) {
    this.frontend = f;
    this.exchange = x;
    this.failure = null;
    this.skippingInformational = false;
  }

  void detach() {
    this.frontend = null;
    this.exchange = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    FrontendHandler f = frontend;
    InFlight x = exchange;
    if (f == null || x == null) {
      ReferenceCountUtil.release(msg);
      ctx.close(); // an idle connection that speaks: not safe to reuse
      return;
    }
    if (failure != null) {
      // Closing after a bad response head: what the codec decoded after it in this read goes nowhere.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse r) {
      if (r.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        failure = r.decoderResult().cause();
        ctx.close();
        return;
      }
      ResponseChecks.Rejected bad = ResponseChecks.check(r);
      if (bad != null) {
        ReferenceCountUtil.release(msg);
        failure = bad;
        ctx.close();
        return;
      }
      int code = r.status().code();
      if (code >= 100 && code < 200 && code != 101) {
        // 100 Continue and other interim responses: the proxy handles Expect itself.
        skippingInformational = true;
        ReferenceCountUtil.release(msg);
        return;
      }
      f.responseHead(x, r);
      if (!(msg instanceof HttpContent) || exchange != x) {
        // Also when the frontend let this connection go on its head (an override it did not keep).
        return;
      }
    }
    if (msg instanceof HttpContent c) {
      if (skippingInformational) {
        skippingInformational = !(c instanceof LastHttpContent);
        c.release();
        return;
      }
      if (c.decoderResult().isFailure()) {
        failure = c.decoderResult().cause();
        c.release();
        ctx.close();
        return;
      }
      f.responseContent(x, c);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    FrontendHandler f = frontend;
    InFlight x = exchange;
    if (f != null && x != null) {
      f.upstreamReadComplete(x);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    FrontendHandler f = frontend;
    if (f != null && ctx.channel().isWritable()) {
      f.maybeReadClient();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
      failure = e.cause(); // the TLS handler closes the channel next; the 502 names this cause
    }
    if (!(evt instanceof IdleStateEvent)) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    FrontendHandler f = frontend;
    InFlight x = exchange;
    if (f == null || x == null) {
      ctx.close(); // idle in the pool for a whole timeout
    } else if (x.phase.requestComplete()) {
      // Only a complete request waits for a response; a slow upload is the client timeout's business.
      f.upstreamTimeout(x);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failure = cause;
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    FrontendHandler f = frontend;
    InFlight x = exchange;
    detach();
    if (f != null && x != null) {
      f.upstreamClosed(x, failure);
    }
  }
}
