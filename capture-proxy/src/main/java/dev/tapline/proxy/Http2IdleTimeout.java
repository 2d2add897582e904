package dev.tapline.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Frame;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The clock of an HTTP/2 client connection, the counterpart of {@link ClientTimeouts}' head and
 * idle clocks (each stream has its own {@link ClientTimeouts} for its body): a connection must open
 * its first stream within the head timeout, and is closed (GOAWAY) after the idle timeout without
 * an open stream, whatever frames (PING, SETTINGS, a header block sent a byte at a time) it sends
 * meanwhile. Also drops the connection-level frames the multiplexer passes on (SETTINGS, PING,
 * GOAWAY), which nothing after it reads. Event loop only.
 */
final class Http2IdleTimeout extends ChannelInboundHandlerAdapter {
  private final long firstNanos;
  private final long idleNanos;
  private @Nullable ChannelHandlerContext ctx;
  private int open;
  private boolean fresh = true;
  private long idleSince = System.nanoTime();
  private @Nullable ScheduledFuture<?> timer;

  Http2IdleTimeout(Duration first, Duration idle) {
    this.firstNanos = first.toNanos();
    this.idleNanos = idle.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    idleSince = System.nanoTime();
    schedule(firstNanos);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2Frame) {
      ReferenceCountUtil.release(msg);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  void streamOpened() {
    open++;
    fresh = false;
  }

  void streamClosed() {
    if (--open == 0) {
      idleSince = System.nanoTime();
      if (timer == null) {
        schedule(idleNanos);
      }
    }
  }

  private void schedule(long delayNanos) {
    ChannelHandlerContext c = ctx;
    if (c != null) {
      timer = c.executor().schedule(this::check, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }
  }

  private void check() {
    timer = null;
    ChannelHandlerContext c = ctx;
    if (c == null || !c.channel().isActive() || open > 0) {
      return; // re-armed when the last stream closes
    }
    long due = idleSince + (fresh ? firstNanos : idleNanos);
    long now = System.nanoTime();
    if (now < due) {
      schedule(due - now);
    } else {
      c.close(); // Http2FrameCodec sends GOAWAY first
    }
  }

  private void cancel() {
    ScheduledFuture<?> t = timer;
    timer = null;
    if (t != null) {
      t.cancel(false);
    }
  }
}
