package dev.tapline.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The clocks of a client connection, in front of the HTTP codec, where it sees every read the
 * proxy asks for and every byte that arrives:
 *
 * <ul>
 *   <li><b>head</b>: a request head must be complete within {@link ProxyConfig#clientHeaderTimeout()}
 *       of its first byte (of accept, on a new connection), so a client sending a byte now and then
 *       cannot hold a connection;
 *   <li><b>body</b>: while the proxy waits for request body bytes, one must come within {@link
 *       ProxyConfig#clientBodyTimeout()} (time the proxy itself holds the body back, because the
 *       upstream cannot take more, does not count);
 *   <li><b>idle</b>: a connection between requests is closed after {@link
 *       ProxyConfig#clientIdleTimeout()} (a new one that sent nothing, after the head timeout).
 * </ul>
 *
 * An expiry goes to {@link FrontendHandler} as an {@link Expired} event, in order with the messages
 * it belongs after; it answers 408 or closes. The codec tells this handler where a request starts
 * and ends through {@link #headDecoded()} and {@link #requestDecoded()}.
 *
 * <p>One timer per connection, re-armed lazily: it may fire early, and then schedules itself for
 * the deadline in force. Only a head split over reads moves it earlier. A request read at once
 * costs a time stamp, no scheduling. Event loop only, like the other handlers of the connection.
 */
final class ClientTimeouts extends ChannelDuplexHandler {

  /** What expired; {@link FrontendHandler} answers it. */
  enum Expired {
    /** A request head was not complete in time: 408. */
    HEAD,
    /** A request body made no progress in time: 408. */
    BODY,
    /** Nothing arrived between requests (or on a new connection): close, unless an exchange is in flight. */
    IDLE
  }

  private enum Phase { BETWEEN, HEAD, BODY, DONE }

  private static final long NONE = Long.MAX_VALUE;
  /** A time stamp still to take, at the end of the current read. */
  private static final long UNSTAMPED = Long.MIN_VALUE;

  private final long headNanos;
  private final long bodyNanos;
  private final long idleNanos;
  private final Runnable expire = this::expire;
  private @Nullable ChannelHandlerContext ctx;
  private boolean started;
  private Phase phase = Phase.BETWEEN;
  /** No request has begun on this connection: its first head is timed from accept. */
  private boolean fresh = true;
  /** BETWEEN: since when; HEAD: since the head's first byte (or accept). */
  private long since = UNSTAMPED;
  /** A read is asked for and no byte came yet. */
  private boolean readPending;
  /** BODY: since when the proxy waits for bytes. */
  private long waitingSince = UNSTAMPED;
  private @Nullable ScheduledFuture<?> timer;
  private long timerAt;

  ClientTimeouts(Duration header, Duration body, Duration idle) {
    this.headNanos = header.toNanos();
    this.bodyNanos = body.toNanos();
    this.idleNanos = idle.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
      start();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start();
    ctx.fireChannelActive();
  }

  private void start() {
    if (!started) {
      started = true;
      since = System.nanoTime();
      arm();
    }
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!readPending) {
      readPending = true;
      if (phase == Phase.BODY) {
        waitingSince = System.nanoTime();
      }
      arm();
    }
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    readPending = false;
    if (phase == Phase.BETWEEN) {
      phase = Phase.HEAD;
      if (!fresh) {
        since = UNSTAMPED; // the head starts in this read
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // A head that began, a request that ended, or a body whose read was asked for during this read.
    boolean stampSince = since == UNSTAMPED;
    boolean stampWait = phase == Phase.BODY && readPending && waitingSince == UNSTAMPED;
    if ((stampSince || stampWait) && phase != Phase.DONE) {
      long now = System.nanoTime();
      if (stampSince) {
        since = now;
      }
      if (stampWait) {
        waitingSince = now;
      }
    }
    arm();
    ctx.fireChannelReadComplete();
  }

  /** The codec produced a request head (called by {@link FrontendHandler} as it arrives). */
  void headDecoded() {
    if (phase != Phase.DONE) {
      phase = Phase.BODY;
      fresh = false;
      waitingSince = UNSTAMPED;
    }
  }

  /** The codec produced the end of a request: what comes next is the next request's head. */
  void requestDecoded() {
    if (phase != Phase.DONE) {
      phase = Phase.BETWEEN;
      since = UNSTAMPED;
    }
  }

  private long deadline() {
    return switch (phase) {
      case BETWEEN -> since == UNSTAMPED ? NONE : since + (fresh ? headNanos : idleNanos);
      // While the proxy is not reading (its queue of pipelined requests is full), the client is not late.
      case HEAD -> since == UNSTAMPED || !readPending ? NONE : since + headNanos;
      case BODY -> waitingSince == UNSTAMPED || !readPending ? NONE : waitingSince + bodyNanos;
      case DONE -> NONE;
    };
  }

  /** Makes sure the timer fires no later than the deadline in force. */
  private void arm() {
    long d = deadline();
    if (d == NONE || (timer != null && timerAt <= d)) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    schedule(d);
  }

  private void schedule(long at) {
    ChannelHandlerContext c = ctx;
    if (c == null) {
      return;
    }
    timerAt = at;
    timer = c.executor().schedule(expire, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void expire() {
    timer = null;
    ChannelHandlerContext c = ctx;
    if (c == null || phase == Phase.DONE || !c.channel().isActive()) {
      return;
    }
    long d = deadline();
    if (d == NONE) {
      return; // re-armed when the proxy asks for bytes again, or at the end of the next read
    }
    long now = System.nanoTime();
    if (now < d) {
      schedule(d);
      return;
    }
    switch (phase) {
      case BETWEEN -> {
        since = now; // ignored while an exchange is in flight: the clock starts over
        c.fireUserEventTriggered(Expired.IDLE);
        arm();
      }
      case HEAD -> {
        phase = Phase.DONE;
        c.fireUserEventTriggered(Expired.HEAD);
      }
      case BODY -> {
        phase = Phase.DONE;
        c.fireUserEventTriggered(Expired.BODY);
      }
      case DONE -> { }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  private void stop() {
    phase = Phase.DONE;
    ScheduledFuture<?> t = timer;
    timer = null;
    if (t != null) {
      t.cancel(false);
    }
  }

  /** {@code 300 ms} or {@code 10 s}, for the 408's detail. */
  static String describe(Duration d) {
    return d.toMillis() < 1000 || d.toMillis() % 1000 != 0 ? d.toMillis() + " ms" : d.toSeconds() + " s";
  }
}
