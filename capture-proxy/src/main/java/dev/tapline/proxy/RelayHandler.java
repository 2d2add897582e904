package dev.tapline.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * A raw byte tunnel to {@code peer}, for upgraded (WebSocket) connections, which are passed through
 * and not captured. Backpressure: stop reading while the peer cannot keep up.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
  private final Channel peer;

  RelayHandler(Channel peer) {
    this.peer = peer;
  }

  /**
   * Turns a client connection and its upstream connection into a tunnel: their HTTP codecs and
   * timeouts go, a relay each way takes over the frontend's and backend's place, and both read on
   * their own. Bytes the client codec had read past the 101 go on to the new relay.
   */
  static void tunnel(ChannelHandlerContext frontend, Channel backend) {
    Channel client = frontend.channel();
    backend.pipeline().replace(BackendHandler.class, "relay", new RelayHandler(client));
    backend.pipeline().remove(HttpClientCodec.class);
    backend.pipeline().remove(IdleStateHandler.class);
    client.pipeline().replace(frontend.handler(), "relay", new RelayHandler(backend));
    client.pipeline().remove(HttpServerCodec.class);
    client.pipeline().remove(ClientTimeouts.class);
    client.config().setAutoRead(true);
    backend.config().setAutoRead(true);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!peer.isActive()) {
      io.netty.util.ReferenceCountUtil.release(msg);
      return;
    }
    peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
      if (!f.isSuccess()) {
        f.channel().close();
        ctx.channel().close();
      }
    });
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeOnFlush(peer);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    closeOnFlush(ctx.channel());
  }

  static void closeOnFlush(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
