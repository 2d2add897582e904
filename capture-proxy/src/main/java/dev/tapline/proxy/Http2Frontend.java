package dev.tapline.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 towards clients, with Netty's codecs: {@link Http2FrameCodec} for the connection, {@link
 * Http2MultiplexHandler} giving each stream a child channel, and on each stream {@link
 * Http2StreamFrameToHttpObjectCodec}, so that a stream reaches {@link FrontendHandler} as one
 * HTTP/1.1 request on a connection of its own: the same routing, checks ({@link RequestChecks} sees
 * the converted request), capture and backpressure as HTTP/1.1.
 *
 * <p>Limits, the HTTP/2 counterparts of the HTTP/1.1 ones: at most {@value #MAX_STREAMS} concurrent
 * streams per connection; a header list of at most {@link #MAX_HEADER_LIST} bytes (Netty answers 431
 * beyond it); request header blocks are validated by Netty (pseudo-headers, lower-case names,
 * connection-specific headers and a {@code TE} other than {@code trailers} reset the stream, as
 * does a body longer or shorter than its {@code content-length}); each stream has its own body
 * timeout ({@link ClientTimeouts}); a connection without streams closes after the idle timeout
 * ({@link Http2IdleTimeout}); Netty's limits on RST_STREAM floods (rapid reset), empty DATA frames
 * and CONTINUATION floods are on. The flow-control windows bound what a client can have buffered:
 * {@value #STREAM_WINDOW} bytes per stream, {@value #CONNECTION_WINDOW} per connection, released as
 * the upstream takes the bytes.
 */
final class Http2Frontend {
  private static final Logger log = LoggerFactory.getLogger(Http2Frontend.class);
  static final int MAX_STREAMS = 100;
  static final int MAX_HEADER_LIST = FrontendInitializer.MAX_HEADER_SIZE + FrontendInitializer.MAX_REQUEST_LINE;
  static final int STREAM_WINDOW = Http2CodecUtil.DEFAULT_WINDOW_SIZE;
  static final int CONNECTION_WINDOW = 1 << 20;

  private Http2Frontend() {}

  /**
   * Replaces a client connection's HTTP/1.1 handlers with HTTP/2 ones, after {@code after}. Called
   * on the connection's loop once the protocol is known (ALPN, or the h2c preface).
   */
  static void configure(Channel ch, ProxyState state, boolean tls, String after) {
    ChannelPipeline p = ch.pipeline();
    for (String name : new String[] {"frontend", "http", "timeouts"}) {
      if (p.get(name) != null) {
        p.remove(name);
      }
    }
    Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
        .initialSettings(Http2Settings.defaultSettings()
            .maxConcurrentStreams(MAX_STREAMS)
            .maxHeaderListSize(MAX_HEADER_LIST)
            .initialWindowSize(STREAM_WINDOW))
        .validateHeaders(true)
        .gracefulShutdownTimeoutMillis(state.config.responseTimeout().toMillis())
        .build();
    Http2IdleTimeout idle = new Http2IdleTimeout(state.config.clientHeaderTimeout(), state.config.clientIdleTimeout());
    p.addAfter(after, "h2", codec);
    p.addAfter("h2", "h2-streams", new Http2MultiplexHandler(new Streams(state, ClientConnection.of(tls, true), idle)));
    p.addAfter("h2-streams", "h2-idle", idle);
    // More room for the connection than for one stream, so that one stalled stream does not stall the others.
    ch.write(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
    ch.flush();
    // Each stream's flow-control window is what holds a client back; the connection reads freely.
    ch.config().setAutoRead(true);
  }

  /** The pipeline of each stream a client opens. */
  private static final class Streams extends ChannelInitializer<Http2StreamChannel> {
    private static final Http2StreamFrameToHttpObjectCodec CODEC = new Http2StreamFrameToHttpObjectCodec(true, true);
    private final ProxyState state;
    private final ClientConnection client;
    private final Http2IdleTimeout idle;

    Streams(ProxyState state, ClientConnection client, Http2IdleTimeout idle) {
      this.state = state;
      this.client = client;
      this.idle = idle;
    }

    @Override
    protected void initChannel(Http2StreamChannel ch) {
      ch.config().setAutoRead(false); // FrontendHandler reads when the upstream can take more
      idle.streamOpened();
      ch.closeFuture().addListener(f -> idle.streamClosed());
      ProxyConfig config = state.config;
      ClientTimeouts timeouts = new ClientTimeouts(config.clientHeaderTimeout(), config.clientBodyTimeout(),
          config.clientIdleTimeout());
      ch.pipeline()
          .addLast("timeouts", timeouts)
          .addLast("h2-http", CODEC)
          .addLast("h2-stream", new Http2ServerStream(state.metrics))
          .addLast("frontend", new FrontendHandler(state, timeouts, client));
    }
  }

  /** On a TLS listener, after the handshake: HTTP/2 when ALPN chose it, else the HTTP/1.1 pipeline stays. */
  static final class Alpn extends ApplicationProtocolNegotiationHandler {
    private final ProxyState state;

    Alpn(ProxyState state) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.state = state;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (protocol.equals(ApplicationProtocolNames.HTTP_2)) {
        configure(ctx.channel(), state, true, ctx.name());
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      // Scanners, plain HTTP on the TLS port, clients that distrust the certificate: not worth a warning each.
      log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("TLS connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
