package dev.tapline.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Netty's own HTTP/2 client for tests, h2c by prior knowledge: whole requests through Netty's
 * HTTP/1 conversion ({@link #send}), or raw frames for requests no well-behaved client would send
 * ({@link #raw}).
 */
final class H2Client implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel parent;

  H2Client(URI uri) throws InterruptedException {
    parent = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().validateHeaders(false).build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
          }
        })
        .connect(uri.getHost(), uri.getPort()).sync().channel();
  }

  boolean isOpen() {
    return parent.isActive();
  }

  /** Sends {@code req} on a new stream; the whole response. */
  FullHttpResponse send(FullHttpRequest req) throws Exception {
    CompletableFuture<FullHttpResponse> done = new CompletableFuture<>();
    Http2StreamChannel s = new Http2StreamChannelBootstrap(parent).handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(1 << 20),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                done.complete((FullHttpResponse) msg);
              }

              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof Http2ResetFrame r) {
                  done.completeExceptionally(new IllegalStateException("stream reset: " + r.errorCode()));
                }
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                done.completeExceptionally(new IllegalStateException("stream closed without a response"));
              }
            });
      }
    }).open().sync().getNow();
    s.writeAndFlush(req).sync();
    return done.get(10, TimeUnit.SECONDS);
  }

  /** What came back on a raw stream: header blocks, the body, and a reset if there was one. */
  record Raw(List<Http2Headers> headers, String body, long resetCode) {
    String status() {
      return headers.isEmpty() ? "none" : String.valueOf(headers.get(0).status());
    }
  }

  /** Sends a header block as given (and a body, if any) on a new stream; what came back once it ended. */
  Raw raw(Http2Headers headers, String body) throws Exception {
    List<Http2Headers> heads = new CopyOnWriteArrayList<>();
    StringBuilder data = new StringBuilder();
    long[] reset = {-1};
    CompletableFuture<Void> ended = new CompletableFuture<>();
    Http2StreamChannel s = new Http2StreamChannelBootstrap(parent).handler(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
          if (msg instanceof Http2HeadersFrame h) {
            heads.add(h.headers());
          } else if (msg instanceof Http2DataFrame d) {
            synchronized (data) {
              data.append(d.content().toString(StandardCharsets.UTF_8));
            }
          }
        } finally {
          ReferenceCountUtil.release(msg);
        }
      }

      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame r) {
          reset[0] = r.errorCode();
        }
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        ended.complete(null);
      }
    }).open().sync().getNow();
    boolean noBody = body.isEmpty();
    s.write(new DefaultHttp2HeadersFrame(headers, noBody));
    if (!noBody) {
      s.write(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true));
    }
    s.flush();
    ended.get(10, TimeUnit.SECONDS);
    synchronized (data) {
      return new Raw(heads, data.toString(), reset[0]);
    }
  }

  @Override
  public void close() {
    parent.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
