package dev.tapline.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/2 connections to upstreams, for gRPC (which HTTP/1.1 cannot carry: it needs trailers and
 * full duplex): h2c by prior knowledge to {@code http://} upstreams, TLS with ALPN {@code h2} to
 * {@code https://} ones. Each request gets a stream, a child channel whose pipeline ends in a
 * {@link BackendHandler} like an HTTP/1.1 connection's, so {@link FrontendHandler} relays it the
 * same way. Connections live on the event loop of the clients that use them (like {@link
 * UpstreamPool}'s), carry up to {@value #MAX_STREAMS} streams (or fewer, when the upstream says so),
 * and close after the response timeout without streams, on GOAWAY once their streams end, or when
 * the upstream closes them.
 */
final class Http2Upstreams {
  static final int MAX_STREAMS = 100;
  private static final int CONNECTION_WINDOW = 1 << 20;

  private final ProxyState state;
  private final Transport transport;
  private @Nullable SslContext tls;
  private final FastThreadLocal<Map<Upstream, List<Conn>>> conns = new FastThreadLocal<>() {
    @Override
    protected Map<Upstream, List<Conn>> initialValue() {
      return new HashMap<>();
    }
  };

  Http2Upstreams(Transport transport, ProxyState state) {
    this.transport = transport;
    this.state = state;
  }

  /** A new stream on a connection to {@code u} that is up and has room, or null. Call on a loop. */
  @Nullable Channel pooled(Upstream u) {
    for (Conn c : list(u)) {
      if (c.ready.isSuccess() && c.hasRoom()) {
        Future<Http2StreamChannel> f = c.open();
        if (f.isDone()) {
          return f.isSuccess() ? f.getNow() : null;
        }
        f.addListener(done -> {
          if (done.isSuccess()) {
            ((Channel) done.getNow()).close(); // nobody waits for it any more
          }
        });
        return null;
      }
    }
    return null;
  }

  /** A stream on a connection to {@code u}, opened once the connection is up. Call on {@code loop}. */
  ChannelFuture connect(Upstream u, EventLoop loop) {
    Conn conn = null;
    for (Conn c : list(u)) {
      if (!c.ready.isDone() || c.ready.isSuccess()) {
        if (c.hasRoom()) {
          conn = c;
          break;
        }
      }
    }
    if (conn == null) {
      conn = newConnection(u, loop);
    }
    StreamPromise p = new StreamPromise(conn.parent);
    Conn c = conn;
    c.pending++; // counted now, so that concurrent requests spread over connections while this one connects
    c.ready.addListener(ready -> {
      c.pending--;
      if (!ready.isSuccess()) {
        p.tryFailure(ready.cause());
        return;
      }
      c.open().addListener(opened -> {
        if (opened.isSuccess()) {
          p.opened((Channel) opened.getNow());
        } else {
          p.tryFailure(opened.cause());
        }
      });
    });
    return p;
  }

  private List<Conn> list(Upstream u) {
    return conns.get().computeIfAbsent(u, k -> new ArrayList<>(1));
  }

  private Conn newConnection(Upstream u, EventLoop loop) {
    Bootstrap b = new Bootstrap()
        .group(loop)
        .channel(transport.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) state.config.connectTimeout().toMillis())
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings()
                    .pushEnabled(false)
                    .maxHeaderListSize(64 * 1024))
                .validateHeaders(true)
                .build();
            ch.pipeline().addLast("h2", codec)
                .addLast("h2-streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
          }
        });
    ChannelFuture f = b.connect(u.address());
    Channel ch = f.channel();
    Conn c = new Conn(u, ch, loop.newPromise());
    list(u).add(c);
    if (u.tls()) {
      SslHandler h = tls().newHandler(ch.alloc(), u.host(), u.address().getPort());
      h.setHandshakeTimeoutMillis(state.config.connectTimeout().toMillis());
      ch.pipeline().addFirst("tls", h);
    }
    ch.pipeline().addLast("h2-conn", c);
    f.addListener(done -> {
      if (!done.isSuccess()) {
        c.ready.tryFailure(done.cause());
      } else if (!u.tls()) {
        c.up();
      }
    });
    ch.closeFuture().addListener(done -> {
      list(u).remove(c);
      c.ready.tryFailure(new IOException("the upstream closed the HTTP/2 connection"));
    });
    return c;
  }

  private SslContext tls() {
    SslContext t = tls;
    if (t == null) {
      t = tls = ProxyState.clientTls(state.config.upstreamCa(), ApplicationProtocolNames.HTTP_2);
    }
    return t;
  }

  /** One connection: its readiness, the streams on it, and what the upstream said about it. */
  private final class Conn extends ChannelInboundHandlerAdapter {
    final Upstream upstream;
    final Channel parent;
    final Promise<Void> ready;
    int streams;
    int pending;
    boolean goingAway;
    long idleSince;

    Conn(Upstream upstream, Channel parent, Promise<Void> ready) {
      this.upstream = upstream;
      this.parent = parent;
      this.ready = ready;
    }

    void up() {
      // More room for the connection than for one stream: a slow client stalls only its own stream.
      parent.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
      ready.trySuccess(null);
    }

    boolean hasRoom() {
      if (goingAway || !parent.isActive() && ready.isDone()) {
        return false;
      }
      Http2FrameCodec codec = parent.pipeline().get(Http2FrameCodec.class);
      int max = codec == null ? MAX_STREAMS : Math.min(MAX_STREAMS, codec.connection().local().maxActiveStreams());
      return streams + pending < max;
    }

    Future<Http2StreamChannel> open() {
      streams++;
      Future<Http2StreamChannel> f = new Http2StreamChannelBootstrap(parent)
          .option(ChannelOption.AUTO_READ, false)
          .handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
              ch.pipeline()
                  .addLast("idle", new IdleStateHandler(state.config.responseTimeout().toMillis(), 0, 0,
                      TimeUnit.MILLISECONDS))
                  .addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(false, true))
                  .addLast("h2-stream", new Http2ClientStream())
                  .addLast("backend", new BackendHandler());
            }
          })
          .open();
      f.addListener(done -> {
        if (done.isSuccess()) {
          ((Channel) done.getNow()).closeFuture().addListener(closed -> streamEnded());
        } else {
          streamEnded();
        }
      });
      return f;
    }

    private void streamEnded() {
      if (--streams > 0) {
        return;
      }
      if (goingAway) {
        parent.close();
        return;
      }
      idleSince = System.nanoTime();
      long after = state.config.responseTimeout().toNanos();
      parent.eventLoop().schedule(() -> {
        if (streams == 0 && pending == 0 && System.nanoTime() - idleSince >= after) {
          parent.close();
        }
      }, after, TimeUnit.NANOSECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        if (!e.isSuccess()) {
          ready.tryFailure(e.cause());
        } else {
          String alpn = ctx.pipeline().get(SslHandler.class).applicationProtocol();
          if (ApplicationProtocolNames.HTTP_2.equals(alpn)) {
            up();
          } else {
            ready.tryFailure(new IOException(upstream.uri() + " does not speak HTTP/2 over TLS (ALPN: "
                + (alpn == null ? "none" : alpn) + "), which gRPC needs"));
            ctx.close();
          }
        }
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2GoAwayFrame) {
        goingAway = true; // no new streams; those under way finish
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ready.tryFailure(cause);
      ctx.close();
    }
  }

  /**
   * What {@link UpstreamPool#connect} returns for a stream: a future whose channel is the stream
   * once it is open (the connection until then), so that {@link FrontendHandler} treats it like a
   * new HTTP/1.1 connection.
   */
  private static final class StreamPromise extends DefaultChannelPromise {
    private volatile @Nullable Channel stream;

    StreamPromise(Channel parent) {
      super(parent);
    }

    void opened(Channel s) {
      stream = s;
      if (!trySuccess()) {
        s.close();
      }
    }

    @Override
    public Channel channel() {
      Channel s = stream;
      return s != null ? s : super.channel();
    }
  }
}
