package dev.tapline.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Idle keep-alive connections to upstreams, one pool per event loop: a client's upstream
 * connections live on the client's own loop, so forwarding needs no locks and no thread hops, and
 * the per-loop state needs no synchronization (only its own loop ever touches it).
 */
final class UpstreamPool {
  private static final int MAX_IDLE_PER_UPSTREAM = 256;

  private final Transport transport;
  private final ProxyState state;
  /** HTTP/2 upstreams (gRPC): streams on shared connections instead of pooled connections. */
  private final Http2Upstreams h2;
  private final FastThreadLocal<LoopPool> pools = new FastThreadLocal<>() {
    @Override
    protected LoopPool initialValue() {
      return new LoopPool();
    }
  };

  UpstreamPool(Transport transport, ProxyState state) {
    this.transport = transport;
    this.state = state;
    this.h2 = new Http2Upstreams(transport, state);
  }

  private final class LoopPool {
    final Map<Upstream, ArrayDeque<Channel>> idle = new HashMap<>();
    @Nullable Bootstrap bootstrap;
  }

  /** An idle pooled connection to {@code u} on the calling loop, or null. */
  @Nullable Channel pooled(Upstream u) {
    if (u.h2()) {
      return h2.pooled(u);
    }
    ArrayDeque<Channel> q = pools.get().idle.get(u);
    if (q == null) {
      return null;
    }
    Channel ch;
    while ((ch = q.pollLast()) != null) {
      if (ch.isActive()) {
        return ch;
      }
    }
    return null;
  }

  /** A new connection to {@code u} on {@code loop}. Call on {@code loop}. */
  ChannelFuture connect(Upstream u, EventLoop loop) {
    if (u.h2()) {
      return h2.connect(u, loop);
    }
    LoopPool p = pools.get();
    Bootstrap b = p.bootstrap;
    if (b == null) {
      b = p.bootstrap = new Bootstrap()
          .group(loop)
          .channel(transport.socketChannel())
          .option(ChannelOption.AUTO_READ, false)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.SO_KEEPALIVE, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) state.config.connectTimeout().toMillis())
          .handler(new BackendInitializer(state));
    }
    ChannelFuture f = b.connect(u.address());
    if (u.tls()) {
      // First in the pipeline, ahead of the HTTP codec; the handshake starts once TCP connects.
      SslHandler tls = state.tls.newHandler(f.channel().alloc(), u.host(), u.address().getPort());
      tls.setHandshakeTimeoutMillis(state.config.connectTimeout().toMillis());
      f.channel().pipeline().addFirst("tls", tls);
    }
    return f;
  }

  /**
   * Ends a connection's part in an exchange: its {@link BackendHandler} lets go, and it goes back to
   * the pool when {@code reusable} (a clean response to a complete request), else it is closed.
   */
  void done(Upstream u, Channel ch, boolean reusable) {
    BackendHandler bh = ch.pipeline().get(BackendHandler.class);
    if (bh != null) {
      bh.detach();
    }
    if (reusable && !u.h2()) {
      release(u, ch);
    } else {
      ch.close();
    }
  }

  /** Returns a connection whose last response completed cleanly. Call on its loop. */
  void release(Upstream u, Channel ch) {
    if (u.h2()) {
      ch.close(); // an HTTP/2 stream serves one exchange; closing one that ended cleanly sends nothing
      return;
    }
    if (!ch.isActive()) {
      return;
    }
    ArrayDeque<Channel> q = pools.get().idle.computeIfAbsent(u, k -> new ArrayDeque<>());
    if (q.size() >= MAX_IDLE_PER_UPSTREAM) {
      ch.close();
      return;
    }
    q.addLast(ch);
    // An idle connection may be closed by the upstream at any time; we find out when we read.
    ch.read();
  }
}
