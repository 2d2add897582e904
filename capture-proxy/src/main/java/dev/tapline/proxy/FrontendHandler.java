package dev.tapline.proxy;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeError;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The client side of one connection: routes each request, streams it to an upstream connection and
 * streams the response back, teeing both into a {@link Capture} when the request is captured.
 *
 * <p>AUTO_READ is off on both sides. A request body is read from the client only while the
 * upstream can take more (writability); between a complete request and the end of its response,
 * what a pipelining client sends next waits in a small bounded queue, which keeps requests in order.
 * The upstream is read only while the client can take more.
 * Every field is touched on this channel's event loop only (the upstream connection is opened on
 * the same loop), so nothing here needs to be volatile.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
  // Pipelined messages held while an earlier request is answered; past this, stop reading.
  private static final int MAX_QUEUED = 16;
  private final ProxyState state;
  private @Nullable ChannelHandlerContext ctx;
  private @Nullable InFlight cur;
  // Messages of pipelined requests that arrived while an earlier one was still being answered.
  private final ArrayDeque<Object> queued = new ArrayDeque<>(0);
  private boolean closing;
  private boolean needsUpstreamFlush;
  private @Nullable String clientIp;

  FrontendHandler(ProxyState state) {
    this.state = state;
  }

  /** One request/response on this connection. */
  static final class InFlight {
    final HttpRequest request;
    final Upstream upstream;
    final int targetKind;
    final @Nullable Capture capture;
    final long startNanos;
    final boolean http10;
    final boolean head;
    final boolean webSocket;
    boolean keepAlive;
    boolean expectContinue;
    @Nullable Channel backend;
    boolean reused;
    boolean retried;
    @Nullable ArrayDeque<HttpContent> pending;
    long requestBodyBytes;
    boolean requestDone;
    boolean responseStarted;
    boolean upgrading;
    int status;
    boolean upstreamKeepAlive;
    boolean finished;

    InFlight(HttpRequest request, Upstream upstream, int targetKind, @Nullable Capture capture, long startNanos,
        boolean webSocket) {
      this.request = request;
      this.upstream = upstream;
      this.targetKind = targetKind;
      this.capture = capture;
      this.startNanos = startNanos;
      this.http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
      this.head = request.method().equals(HttpMethod.HEAD);
      this.webSocket = webSocket;
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    InFlight x = cur;
    if (!queued.isEmpty() || (x != null && x.requestDone)) {
      queued.add(msg);
      return;
    }
    handle(msg);
  }

  private void handle(Object msg) {
    if (msg instanceof HttpRequest req) {
      if (req.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        reject(req.decoderResult().cause());
        return;
      }
      begin(req);
    }
    if (msg instanceof HttpContent c) {
      InFlight x = cur;
      if (x == null || x.finished) {
        c.release();
        return;
      }
      if (c.decoderResult().isFailure()) {
        c.release();
        x.keepAlive = false;
        if (!x.responseStarted) {
          respond(x, 400, "bad_request", "malformed request body: " + c.decoderResult().cause().getMessage(),
              new ExchangeError(ExchangeError.Kind.OTHER, "malformed request body"));
        } else {
          abort(x, new ExchangeError(ExchangeError.Kind.OTHER, "malformed request body"));
        }
        return;
      }
      requestContent(x, c);
    }
  }

  private void begin(HttpRequest req) {
    long now = System.nanoTime();
    HttpHeaders h = req.headers();
    String routingKey = state.config.routingKeys().extract(h::getAll);
    Upstream up = null;
    int kind = ProxyMetrics.BASELINE;
    String target = Exchange.BASELINE;
    if (routingKey != null) {
      up = state.routes.lookup(routingKey);
      if (up != null) {
        kind = ProxyMetrics.SANDBOX;
        target = Exchange.sandboxTarget(routingKey);
      }
    }
    if (up == null) {
      up = state.baseline;
    }
    boolean ws = HopByHop.isWebSocketUpgrade(h);
    String host = h.get(HttpHeaderNames.HOST, "");
    Capture capture = !ws && state.shouldCapture(routingKey, req.uri())
        ? new Capture(now, routingKey, target, req.method().name(), req.uri(), host, h, state.config.maxBodyBytes())
        : null;
    InFlight x = new InFlight(req, up, kind, capture, now, ws);
    state.inFlight.increment();
    x.keepAlive = HttpUtil.isKeepAlive(req);
    if (HttpUtil.is100ContinueExpected(req)) {
      // The proxy answers 100-continue itself once the upstream is connected; the upstream gets the
      // body without having to ask for it.
      x.expectContinue = true;
      h.remove(HttpHeaderNames.EXPECT);
    }
    HopByHop.strip(h, ws);
    if (host.isEmpty()) {
      h.set(HttpHeaderNames.HOST, up.hostPort());
    }
    HopByHop.addForwarded(h, clientIp(), host);
    req.setProtocolVersion(HttpVersion.HTTP_1_1);
    cur = x;
    Channel pooled = state.pool.pooled(up);
    if (pooled != null) {
      x.reused = true;
      connected(x, pooled);
    } else {
      connect(x);
    }
  }

  private void connect(InFlight x) {
    ChannelFuture f = state.pool.connect(x.upstream, ctx().channel().eventLoop());
    if (f.isDone()) {
      connectDone(x, f);
    } else {
      f.addListener((ChannelFutureListener) done -> connectDone(x, done));
    }
  }

  private void connectDone(InFlight x, ChannelFuture f) {
    if (f.isSuccess()) {
      connected(x, f.channel());
    } else if (x == cur && !x.finished) {
      Throwable cause = f.cause();
      boolean timeout = ErrorResponses.isTimeout(cause);
      upstreamFailed(x, timeout ? 504 : 502, ErrorResponses.cause(cause),
          timeout ? ExchangeError.Kind.TIMEOUT : ExchangeError.Kind.REFUSED);
    }
  }

  private void connected(InFlight x, Channel ch) {
    if (x != cur || x.finished) {
      state.pool.release(x.upstream, ch);
      return;
    }
    x.backend = ch;
    ch.pipeline().get(BackendHandler.class).attach(this, x);
    ch.write(x.request, ch.voidPromise());
    if (x.retried && x.requestDone) {
      ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
    }
    ArrayDeque<HttpContent> pending = x.pending;
    if (pending != null) {
      HttpContent c;
      while ((c = pending.poll()) != null) {
        ch.write(c, ch.voidPromise());
      }
      x.pending = null;
    }
    ch.flush();
    ch.read();
    if (x.expectContinue && !x.requestDone) {
      x.expectContinue = false;
      ctx().writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
    maybeReadClient();
  }

  private void requestContent(InFlight x, HttpContent c) {
    int n = c.content().readableBytes();
    x.requestBodyBytes += n;
    if (x.capture != null && n > 0) {
      x.capture.requestBody.add(c.content());
    }
    if (c instanceof LastHttpContent) {
      x.requestDone = true;
    }
    Channel b = x.backend;
    if (b == null) {
      ArrayDeque<HttpContent> p = x.pending;
      if (p == null) {
        p = x.pending = new ArrayDeque<>(4);
      }
      p.add(c);
    } else {
      b.write(c, b.voidPromise());
      needsUpstreamFlush = true;
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    InFlight x = cur;
    if (needsUpstreamFlush) {
      needsUpstreamFlush = false;
      if (x != null && x.backend != null) {
        x.backend.flush();
      }
    }
    maybeReadClient();
  }

  /**
   * Reads more from the client when there is somewhere to put it: the upstream connection while a
   * request body streams, the small {@link #queued} buffer while a complete request awaits its
   * response. Keeping a read pending in that second case costs nothing when the client sends
   * nothing (the usual case) and spares two epoll_ctl calls per request that toggling would cost.
   */
  void maybeReadClient() {
    if (closing) {
      return;
    }
    InFlight x = cur;
    if (x == null || x.requestDone || x.finished) {
      if (queued.size() < MAX_QUEUED) {
        ctx().read();
      }
      return;
    }
    Channel b = x.backend;
    if (b != null && b.isWritable()) {
      ctx().read();
    }
  }

  // ---- upstream → client, called by BackendHandler on this same event loop ----

  void responseHead(InFlight x, HttpResponse resp) {
    if (x != cur || x.finished) {
      ReferenceCountUtil.release(resp);
      return;
    }
    x.responseStarted = true;
    x.status = resp.status().code();
    x.upstreamKeepAlive = HttpUtil.isKeepAlive(resp);
    HttpHeaders h = resp.headers();
    if (x.capture != null) {
      x.capture.response(x.status, h, state.config.maxBodyBytes());
    }
    if (x.webSocket && x.status == 101) {
      x.upgrading = true;
      HopByHop.addVia(h);
      ctx().write(resp, ctx().voidPromise());
      return;
    }
    HopByHop.strip(h, false);
    HopByHop.addVia(h);
    if (!x.requestDone) {
      x.keepAlive = false; // answered before the request finished: not worth draining the rest
    }
    boolean bodyAllowed = !x.head && x.status >= 200 && x.status != 204 && x.status != 304;
    if (x.http10 && HttpUtil.isTransferEncodingChunked(resp)) {
      // An HTTP/1.0 client cannot read chunks: send the body raw and end it by closing.
      HttpUtil.setTransferEncodingChunked(resp, false);
      x.keepAlive = false;
    } else if (bodyAllowed && !HttpUtil.isContentLengthSet(resp) && !HttpUtil.isTransferEncodingChunked(resp)) {
      // The upstream delimits the body by closing; re-frame it so the client connection can stay.
      if (x.http10) {
        x.keepAlive = false;
      } else {
        HttpUtil.setTransferEncodingChunked(resp, true);
      }
    }
    if (x.http10 && x.keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    } else if (!x.keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    resp.setProtocolVersion(HttpVersion.HTTP_1_1);
    ctx().write(resp, ctx().voidPromise());
  }

  void responseContent(InFlight x, HttpContent c) {
    if (x != cur || x.finished) {
      c.release();
      return;
    }
    Capture cap = x.capture;
    if (cap != null && cap.responseBody != null && c.content().isReadable()) {
      cap.responseBody.add(c.content());
    }
    boolean last = c instanceof LastHttpContent;
    ctx().write(c, ctx().voidPromise());
    if (last) {
      if (x.upgrading) {
        tunnel(x);
      } else {
        finish(x, null);
      }
    }
  }

  void upstreamReadComplete(InFlight x) {
    ChannelHandlerContext ctx = ctx();
    ctx.flush();
    if (x == cur && !x.finished && x.backend != null && ctx.channel().isWritable()) {
      x.backend.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    InFlight x = cur;
    if (x != null && !x.finished && x.backend != null && ctx.channel().isWritable()) {
      x.backend.read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  void upstreamClosed(InFlight x, @Nullable Throwable cause) {
    if (x != cur || x.finished) {
      return;
    }
    if (x.responseStarted) {
      abort(x, new ExchangeError(ExchangeError.Kind.RESET,
          "upstream closed the connection mid-response: " + ErrorResponses.cause(cause)));
      return;
    }
    boolean replayable = x.requestDone && x.requestBodyBytes == 0 && x.pending == null;
    if (x.reused && !x.retried && replayable && cause == null) {
      // A pooled connection the upstream had already closed: try once on a fresh one.
      x.retried = true;
      x.reused = false;
      x.backend = null;
      connect(x);
      return;
    }
    boolean timeout = ErrorResponses.isTimeout(cause); // a TLS handshake that never completed
    upstreamFailed(x, timeout ? 504 : 502, cause == null ? "connection closed before a response" : ErrorResponses.cause(cause),
        timeout ? ExchangeError.Kind.TIMEOUT : ExchangeError.Kind.RESET);
  }

  void upstreamTimeout(InFlight x) {
    if (x != cur || x.finished) {
      return;
    }
    String detail = "no response within " + state.config.responseTimeout().toSeconds() + "s";
    if (x.responseStarted) {
      abort(x, new ExchangeError(ExchangeError.Kind.TIMEOUT, detail));
    } else {
      upstreamFailed(x, 504, detail, ExchangeError.Kind.TIMEOUT);
    }
  }

  private void upstreamFailed(InFlight x, int status, String cause, ExchangeError.Kind kind) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", "upstream_unavailable");
    body.put("detail", (status == 504 ? "upstream timed out: " : "upstream unavailable: ") + cause);
    body.put("upstream", x.upstream.uri().toString());
    body.put("cause", cause);
    respond(x, status, body, new ExchangeError(kind, cause + " (" + x.upstream.uri() + ")"));
  }

  private void respond(InFlight x, int status, String error, String detail, ExchangeError err) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("detail", detail);
    respond(x, status, body, err);
  }

  /** The proxy answers in place of the upstream (nothing was sent to the client yet). */
  private void respond(InFlight x, int status, Map<String, Object> body, ExchangeError err) {
    if (!x.requestDone) {
      x.keepAlive = false;
    }
    x.responseStarted = true;
    x.status = status;
    ctx().write(ErrorResponses.json(status, body, x.keepAlive), ctx().voidPromise());
    finish(x, err);
  }

  /** Ends an exchange whose response already started: the client learns by the connection closing. */
  private void abort(InFlight x, ExchangeError err) {
    x.keepAlive = false;
    finish(x, err);
    closing = true;
    ctx().close();
  }

  private void finish(InFlight x, @Nullable ExchangeError err) {
    x.finished = true;
    state.inFlight.decrement();
    long nanos = System.nanoTime() - x.startNanos;
    state.metrics.request(x.targetKind, x.status, nanos);
    Capture cap = x.capture;
    if (cap != null) {
      cap.durationNanos = nanos;
      cap.error = err;
      state.publisher.offer(cap);
    }
    Channel b = x.backend;
    x.backend = null;
    if (b != null) {
      BackendHandler bh = b.pipeline().get(BackendHandler.class);
      if (bh != null) {
        bh.detach();
      }
      if (err == null && x.upstreamKeepAlive && x.requestDone && !x.upgrading) {
        state.pool.release(x.upstream, b);
      } else {
        b.close();
      }
    }
    releasePending(x);
    cur = null;
    ChannelHandlerContext ctx = ctx();
    if (x.keepAlive && !closing) {
      ctx.flush();
      drainQueued();
      maybeReadClient();
    } else {
      closing = true;
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void drainQueued() {
    Object m;
    while (!closing && (cur == null || !cur.requestDone) && (m = queued.poll()) != null) {
      handle(m);
    }
  }

  private static void releasePending(InFlight x) {
    ArrayDeque<HttpContent> p = x.pending;
    if (p != null) {
      HttpContent c;
      while ((c = p.poll()) != null) {
        c.release();
      }
      x.pending = null;
    }
  }

  /** Switches both connections to a raw byte tunnel once the 101 has gone to the client. */
  private void tunnel(InFlight x) {
    Channel b = x.backend;
    x.finished = true;
    state.inFlight.decrement();
    state.metrics.request(x.targetKind, 101, System.nanoTime() - x.startNanos);
    cur = null;
    closing = true;
    ChannelHandlerContext ctx = ctx();
    Channel client = ctx.channel();
    if (b == null) {
      ctx.close();
      return;
    }
    x.backend = null;
    ctx.flush();
    b.pipeline().replace(BackendHandler.class, "relay", new RelayHandler(client));
    b.pipeline().remove(HttpClientCodec.class);
    b.pipeline().remove(IdleStateHandler.class);
    ctx.pipeline().replace(this, "relay", new RelayHandler(b));
    ctx.pipeline().remove(HttpServerCodec.class);
    ctx.pipeline().remove(IdleStateHandler.class);
    client.config().setAutoRead(true);
    b.config().setAutoRead(true);
  }

  private void reject(Throwable cause) {
    int status;
    String error;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      error = "uri_too_long";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      error = "headers_too_large";
    } else {
      status = 400;
      error = "bad_request";
    }
    state.metrics.request(ProxyMetrics.PROXY, status, 0);
    closing = true;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("detail", String.valueOf(cause.getMessage()));
    ctx().writeAndFlush(ErrorResponses.json(status, body, false)).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      InFlight x = cur;
      if (x == null) {
        closing = true;
        ctx.close();
      } else if (!x.requestDone && !x.responseStarted) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "request_timeout");
        body.put("detail", "no request data for " + state.config.clientIdleTimeout().toSeconds() + "s");
        x.keepAlive = false;
        x.status = 408;
        x.responseStarted = true;
        ctx.write(ErrorResponses.json(408, body, false), ctx.voidPromise());
        finish(x, new ExchangeError(ExchangeError.Kind.CLIENT_ABORTED, "client stopped sending the request"));
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    InFlight x = cur;
    if (x != null && !x.finished) {
      x.keepAlive = false;
      finish(x, new ExchangeError(ExchangeError.Kind.CLIENT_ABORTED, "client closed the connection"));
    }
    Object m;
    while ((m = queued.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Client resets and the like: nothing to tell anyone, the connection is gone.
    closing = true;
    ctx.close();
  }

  private String clientIp() {
    String ip = clientIp;
    if (ip == null) {
      SocketAddress a = ctx().channel().remoteAddress();
      ip = a instanceof InetSocketAddress i && i.getAddress() != null ? i.getAddress().getHostAddress() : "unknown";
      clientIp = ip;
    }
    return ip;
  }

  private ChannelHandlerContext ctx() {
    ChannelHandlerContext c = ctx;
    if (c == null) {
      throw new IllegalStateException("handler not added to a pipeline");
    }
    return c;
  }
}
