package dev.tapline.proxy;

import dev.tapline.core.ExchangeError;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The client side of one connection: sends each request where the {@link Router} says, streams it
 * to an upstream connection and the response back, one {@link InFlight} exchange at a time, teeing
 * both into the {@link Capture} that {@link CaptureRules} opened for it, if any. The proxy's own
 * answers come from {@link ErrorResponses}; a request head {@link RequestChecks} refuses is answered
 * without routing, capture or upstream, and the connection closes after it. The expiries of {@link
 * ClientTimeouts} arrive as events and take their turn behind the messages decoded before them.
 *
 * <p>A route's rules give other targets than an upstream ({@link Target}): an override is sent
 * the whole request first and its answer kept or dropped on its response head, the request then
 * going again to the fallback; a mock or a fault's status is answered here; a fault's delay waits
 * on a timer of this loop; a reset closes the connection with RST.
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
  /** What the client's response says when an override was skipped or fell back. */
  static final AsciiString OVERRIDE_NOTE = AsciiString.cached("Tapline-Override");
  private final ProxyState state;
  private final ClientTimeouts timeouts;
  /** TLS or not, HTTP/1.x or an HTTP/2 stream: what the capture and X-Forwarded-Proto say. */
  private final ClientConnection client;
  private @Nullable ChannelHandlerContext ctx;
  private @Nullable InFlight cur;
  // Messages of pipelined requests that arrived while an earlier one was still being answered, and
  // the expiry of a later request's clock (ClientTimeouts.Expired), which must wait for them.
  private final ArrayDeque<Object> queued = new ArrayDeque<>(0);
  private boolean closing;
  private boolean needsUpstreamFlush;
  private @Nullable String clientIp;

  FrontendHandler(ProxyState state, ClientTimeouts timeouts, ClientConnection client) {
    this.state = state;
    this.timeouts = timeouts;
    this.client = client;
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
    // The clocks follow the codec, not the (possibly queued) exchange the message belongs to.
    if (msg instanceof HttpRequest) {
      timeouts.headDecoded();
    }
    if (msg instanceof LastHttpContent) {
      timeouts.requestDecoded();
    }
    enqueueOrHandle(msg);
  }

  private void enqueueOrHandle(Object msg) {
    InFlight x = cur;
    if (!queued.isEmpty() || (x != null && x.phase.requestComplete())) {
      queued.add(msg);
      return;
    }
    handle(msg);
  }

  private void handle(Object msg) {
    if (msg instanceof ClientTimeouts.Expired e) {
      expired(e);
      return;
    }
    if (msg instanceof HttpRequest req) {
      if (req.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        refuse(ErrorResponses.rejected(req.decoderResult().cause()));
        return;
      }
      RequestChecks.Refusal no = RequestChecks.check(req);
      if (no != null) {
        ReferenceCountUtil.release(msg);
        refuse(ErrorResponses.error(no.status(), no.error(), no.detail(), false));
        return;
      }
      begin(req);
    }
    if (msg instanceof HttpContent c) {
      InFlight x = cur;
      if (x == null || x.done()) {
        c.release();
        return;
      }
      if (c.decoderResult().isFailure()) {
        c.release();
        x.keepAlive = false;
        ExchangeError err = new ExchangeError(ExchangeError.Kind.OTHER, "malformed request body");
        if (x.phase.responseStarted()) {
          abort(x, err);
        } else {
          respond(x, ErrorResponses.error(400, "bad_request",
              "malformed request body: " + c.decoderResult().cause().getMessage(), false), err);
        }
        return;
      }
      requestContent(x, c);
    }
  }

  private void begin(HttpRequest req) {
    long now = System.nanoTime();
    Target target = state.router.route(req);
    HttpHeaders h = req.headers();
    boolean ws = HopByHop.isWebSocketUpgrade(h);
    String host = h.get(HttpHeaderNames.HOST, "");
    Capture capture = state.captures.open(req, target, host, ws, client, now);
    InFlight x = new InFlight(req, target, capture, now, ws, host.isEmpty());
    state.inFlight.increment();
    x.keepAlive = HttpUtil.isKeepAlive(req);
    if (HttpUtil.is100ContinueExpected(req)) {
      // The proxy answers 100-continue itself once the body is wanted (the upstream is connected, or
      // the proxy keeps or drops the body itself); the upstream gets the body without asking for it.
      x.expectContinue = true;
      h.remove(HttpHeaderNames.EXPECT);
    }
    HopByHop.forUpstream(req, ws, host, clientIp(), client.scheme());
    cur = x;
    switch (target) {
      case Target.Forward f -> forward(x, f.upstream());
      case Target.Overriding o -> override(x, o);
      case Target.Mock m -> mock(x, m);
      case Target.Fault f -> fault(x, f);
    }
  }

  /** Sends the request to {@code up}, on an idle pooled connection when there is one. */
  private void forward(InFlight x, Upstream to) {
    // gRPC needs HTTP/2 to the upstream: trailers, full duplex.
    Upstream up = Grpc.isGrpc(x.request.headers()) ? to.http2() : to;
    x.upstream = up;
    if (x.hostless) {
      HopByHop.hostFor(x.request, up);
    }
    Channel pooled = state.pool.pooled(up);
    if (pooled != null) {
      x.attempt = InFlight.Attempt.POOLED;
      x.attempts++;
      connected(x, pooled);
    } else {
      x.attempt = InFlight.Attempt.NEW;
      connect(x);
    }
  }

  // ---- override: the whole request to a developer's process first, then maybe to the fallback ----

  private void override(InFlight x, Target.Overriding o) {
    if (x.webSocket) {
      // A tunnel cannot be taken back: the handshake goes where the route would send it anyway.
      x.answered = o.fallback();
      forward(x, o.fallback().upstream());
      return;
    }
    long declared = HttpUtil.getContentLength(x.request, -1L);
    int max = state.config.overrideMaxBody();
    if (declared > max) {
      skipOverride(x, o, "skipped: the request body of " + declared + " bytes is over the " + max
          + " bytes kept for a fallback");
      return;
    }
    // The body is kept whole before the override sees it, so that it can go again to the fallback.
    x.override = o;
    x.holding = true;
    sendContinue(x);
  }

  private void skipOverride(InFlight x, Target.Overriding o, String note) {
    x.override = null;
    x.holding = false;
    x.overrideNote = note;
    x.answered = o.fallback();
    forward(x, o.fallback().upstream());
  }

  /** The whole request is kept: off to the override, with its deadline. */
  private void sendHeld(InFlight x, Target.Overriding o) {
    x.timer = ctx().executor().schedule(() -> overrideTimedOut(x), state.config.overrideTimeout().toNanos(),
        TimeUnit.NANOSECONDS);
    forward(x, o.upstream());
  }

  private void overrideTimedOut(InFlight x) {
    if (x == cur && !x.done() && x.override != null) {
      x.timer = null;
      fallBack(x, "fallback: the override did not answer within "
          + ClientTimeouts.describe(state.config.overrideTimeout()));
    }
  }

  /** The override did not take the request: it goes, as it came, to the route's normal target. */
  private void fallBack(InFlight x, String note) {
    Target.Overriding o = x.override;
    if (o == null) {
      return;
    }
    x.cancelTimer();
    x.override = null;
    x.holding = false; // the kept body now goes to the fallback itself
    Channel b = x.backend;
    x.backend = null;
    Upstream u = x.upstream;
    if (b != null && u != null) {
      state.pool.done(u, b, false);
    }
    x.overrideNote = note;
    x.answered = o.fallback();
    forward(x, o.fallback().upstream());
  }

  // ---- answers without an upstream: mocks, and faults ----

  private void mock(InFlight x, Target.Mock m) {
    x.local = true;
    sendContinue(x);
    switch (m.answer()) {
      case MockAnswer.Given g -> x.answer = g.response().toResponse();
      case MockAnswer.Recorded r -> {
        RecordedMocks mocks = state.mocks;
        if (mocks == null) {
          x.answer = CannedResponse.error(502, "mock_unavailable", "this proxy reads no recorder (--recorder URL)")
              .toResponse();
          break;
        }
        String uri = x.request.uri();
        int q = uri.indexOf('?');
        EventLoop loop = ctx().channel().eventLoop();
        mocks.answer(r.which(), x.request.method().name(), q < 0 ? uri : uri.substring(0, q),
            c -> loop.execute(() -> mockRead(x, c)));
      }
    }
  }

  private void mockRead(InFlight x, CannedResponse c) {
    if (x == cur && !x.done()) {
      x.answer = c.toResponse();
      maybeAnswer(x);
    }
  }

  private void fault(InFlight x, Target.Fault f) {
    if (f.delayMs() > 0) {
      x.timer = ctx().executor().schedule(() -> faultDue(x, f), f.delayMs(), TimeUnit.MILLISECONDS);
    } else {
      faultDue(x, f);
    }
  }

  private void faultDue(InFlight x, Target.Fault f) {
    if (x != cur || x.done()) {
      return;
    }
    x.timer = null;
    CannedResponse answer = f.answer();
    if (f.reset()) {
      reset(x);
    } else if (answer != null) {
      x.local = true;
      x.releasePending(); // what of the body arrived during the delay is dropped like the rest
      x.answer = answer.toResponse();
      sendContinue(x);
      maybeAnswer(x);
      maybeReadClient();
    } else {
      forward(x, f.then().upstream());
    }
  }

  /** The proxy's own answer goes out once it is known and the request has ended. */
  private void maybeAnswer(InFlight x) {
    FullHttpResponse r = x.answer;
    if (r == null || x.done() || !x.phase.requestComplete()) {
      return;
    }
    x.answer = null;
    x.responseStarted(r.status().code(), false);
    Capture cap = x.capture;
    if (cap != null) {
      cap.response(x.status, r.headers());
      if (cap.responseBody != null && !x.head) {
        cap.responseBody.add(r.content());
      }
    }
    x.keepAlive = HopByHop.forClient(r, x.http10, x.head, x.keepAlive);
    ctx().write(r, ctx().voidPromise());
    finish(x, null);
  }

  /** Closes the client connection with a TCP reset, as a crashed or unplugged service would. */
  private void reset(InFlight x) {
    x.keepAlive = false;
    closing = true;
    try {
      ctx().channel().config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException e) {
      // A transport without SO_LINGER closes normally: the client still loses the connection.
    }
    finish(x, new ExchangeError(ExchangeError.Kind.RESET, "connection reset by a fault rule"));
  }

  private void sendContinue(InFlight x) {
    if (x.expectContinue && !x.phase.requestComplete()) {
      x.expectContinue = false;
      ctx().writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
  }

  // ---- upstream connections ----

  private void connect(InFlight x) {
    Upstream u = upstream(x);
    int attempt = ++x.attempts;
    ChannelFuture f = state.pool.connect(u, ctx().channel().eventLoop());
    if (f.isDone()) {
      connectDone(x, attempt, u, f);
    } else {
      f.addListener((ChannelFutureListener) done -> connectDone(x, attempt, u, done));
    }
  }

  private void connectDone(InFlight x, int attempt, Upstream u, ChannelFuture f) {
    boolean current = x == cur && !x.done() && attempt == x.attempts;
    if (f.isSuccess()) {
      if (current) {
        connected(x, f.channel());
      } else {
        state.pool.release(u, f.channel()); // an abandoned attempt (an override that timed out)
      }
    } else if (current) {
      if (x.override != null) {
        fallBack(x, "fallback: the override is unreachable, " + UpstreamFailure.describe(f.cause()));
      } else {
        upstreamFailed(x, UpstreamFailure.of(f.cause(), ExchangeError.Kind.REFUSED, u.uri()));
      }
    }
  }

  private void connected(InFlight x, Channel ch) {
    if (x != cur || x.done()) {
      state.pool.release(upstream(x), ch);
      return;
    }
    x.backend = ch;
    ch.pipeline().get(BackendHandler.class).attach(this, x);
    ch.write(x.request, ch.voidPromise());
    if (x.attempt == InFlight.Attempt.RETRY && !x.holding) {
      // A complete, bodiless request is retried; its end went to the connection that closed.
      ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
    }
    ArrayDeque<HttpContent> pending = x.pending;
    if (pending != null) {
      if (x.holding) {
        // Copies: the body may have to go again, to the fallback.
        for (HttpContent c : pending) {
          ch.write(c.retainedDuplicate(), ch.voidPromise());
        }
      } else {
        HttpContent c;
        while ((c = pending.poll()) != null) {
          ch.write(c, ch.voidPromise());
        }
        x.pending = null;
      }
    }
    ch.flush();
    ch.read();
    sendContinue(x);
    maybeReadClient();
  }

  private static Upstream upstream(InFlight x) {
    Upstream u = x.upstream;
    if (u == null) {
      throw new IllegalStateException("no upstream for this exchange");
    }
    return u;
  }

  private void requestContent(InFlight x, HttpContent c) {
    int n = c.content().readableBytes();
    x.requestBodyBytes += n;
    if (x.capture != null && n > 0) {
      x.capture.requestBody.add(c.content());
    }
    boolean last = c instanceof LastHttpContent;
    if (last) {
      x.requestEnded();
    }
    if (x.local) {
      c.release();
      if (last) {
        maybeAnswer(x);
      }
      return;
    }
    Channel b = x.backend;
    if (b == null) {
      ArrayDeque<HttpContent> p = x.pending;
      if (p == null) {
        p = x.pending = new ArrayDeque<>(4);
      }
      p.add(c);
      Target.Overriding o = x.override;
      if (x.holding && o != null && x.upstream == null) {
        if (x.requestBodyBytes > state.config.overrideMaxBody()) {
          skipOverride(x, o, "skipped: the request body is over the " + state.config.overrideMaxBody()
              + " bytes kept for a fallback");
        } else if (last) {
          sendHeld(x, o);
        }
      }
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
    if (x == null || x.phase.requestComplete()) {
      if (queued.size() < MAX_QUEUED) {
        ctx().read();
      }
      return;
    }
    Channel b = x.backend;
    // Without a connection, read on only when the body is kept or dropped here (not while connecting
    // or delayed: then it waits in the socket).
    if (b != null ? b.isWritable() : x.local || (x.holding && x.upstream == null)) {
      ctx().read();
    }
  }

  // ---- upstream → client, called by BackendHandler on this same event loop ----

  void responseHead(InFlight x, HttpResponse resp) {
    if (x != cur || x.done()) {
      ReferenceCountUtil.release(resp);
      return;
    }
    Target.Overriding o = x.override;
    if (o != null) {
      int code = resp.status().code();
      if (!o.keeps(code, resp.headers().get(state.overrideHeader))) {
        ReferenceCountUtil.release(resp);
        fallBack(x, o.exceptStatus().isEmpty()
            ? "fallback: the override answered " + code + " without " + state.config.overrideHeader() + ": true"
            : "fallback: the override answered " + code);
        return;
      }
      x.cancelTimer();
      x.override = null;
      x.holding = false;
      x.releasePending();
    }
    x.responseStarted(resp.status().code(), HttpUtil.isKeepAlive(resp));
    HttpHeaders h = resp.headers();
    if (x.capture != null) {
      x.capture.response(x.status, h);
    }
    if (x.phase == InFlight.Phase.UPGRADING) {
      HopByHop.addVia(h);
    } else {
      x.keepAlive = HopByHop.forClient(resp, x.http10, x.head, x.keepAlive);
      if (x.overrideNote != null) {
        h.set(OVERRIDE_NOTE, x.overrideNote);
      }
    }
    ctx().write(resp, ctx().voidPromise());
  }

  void responseContent(InFlight x, HttpContent c) {
    if (x != cur || x.done()) {
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
      if (x.phase == InFlight.Phase.UPGRADING) {
        tunnel(x);
      } else {
        finish(x, null);
      }
    }
  }

  void upstreamReadComplete(InFlight x) {
    ChannelHandlerContext ctx = ctx();
    ctx.flush();
    if (x == cur && !x.done() && x.backend != null && ctx.channel().isWritable()) {
      x.backend.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    InFlight x = cur;
    if (x != null && !x.done() && x.backend != null && ctx.channel().isWritable()) {
      x.backend.read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  void upstreamClosed(InFlight x, @Nullable Throwable cause) {
    if (x != cur || x.done()) {
      return;
    }
    if (x.phase.responseStarted()) {
      abort(x, new ExchangeError(ExchangeError.Kind.RESET,
          "upstream closed the connection mid-response: " + UpstreamFailure.describe(cause)));
      return;
    }
    if (x.attempt == InFlight.Attempt.POOLED && x.replayable() && cause == null) {
      // A pooled connection the upstream had already closed: try once on a fresh one.
      x.attempt = InFlight.Attempt.RETRY;
      x.backend = null;
      connect(x);
      return;
    }
    if (x.override != null) {
      x.backend = null;
      fallBack(x, "fallback: the override closed the connection, " + UpstreamFailure.describe(cause));
      return;
    }
    // A timeout here is a TLS handshake that never completed.
    upstreamFailed(x, UpstreamFailure.of(cause, ExchangeError.Kind.RESET, upstream(x).uri()));
  }

  void upstreamTimeout(InFlight x) {
    if (x != cur || x.done()) {
      return;
    }
    if (x.override != null) {
      fallBack(x, "fallback: the override did not answer within " + state.config.responseTimeout().toSeconds() + "s");
      return;
    }
    String detail = "no response within " + state.config.responseTimeout().toSeconds() + "s";
    if (x.phase.responseStarted()) {
      abort(x, new ExchangeError(ExchangeError.Kind.TIMEOUT, detail));
    } else {
      upstreamFailed(x, UpstreamFailure.timedOut(detail, upstream(x).uri()));
    }
  }

  private void upstreamFailed(InFlight x, UpstreamFailure f) {
    if (!x.phase.requestComplete()) {
      x.keepAlive = false;
    }
    respond(x, ErrorResponses.upstreamFailure(f, x.keepAlive), f.error());
  }

  /** The proxy answers in place of the upstream (nothing was sent to the client yet). */
  private void respond(InFlight x, HttpResponse r, ExchangeError err) {
    x.status = r.status().code();
    ctx().write(r, ctx().voidPromise());
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
    // Back to the pool only after a clean response to a complete request.
    boolean reusable = err == null && x.upstreamKeepAlive && x.phase == InFlight.Phase.RESPONDING;
    x.phase = InFlight.Phase.DONE;
    state.inFlight.decrement();
    long nanos = System.nanoTime() - x.startNanos;
    state.metrics.request(x.answered.metric(), x.status, nanos);
    Capture cap = x.capture;
    if (cap != null) {
      cap.target = x.answered.label();
      cap.end(nanos, err);
      state.publisher.offer(cap);
    }
    Channel b = x.backend;
    x.backend = null;
    if (b != null) {
      state.pool.done(upstream(x), b, reusable);
    }
    x.releaseAll();
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
    while (!closing && (cur == null || !cur.phase.requestComplete()) && (m = queued.poll()) != null) {
      handle(m);
    }
    // Body of a pipelined request written from the queue: no client read will come to flush it.
    if (needsUpstreamFlush) {
      needsUpstreamFlush = false;
      InFlight x = cur;
      if (x != null && x.backend != null) {
        x.backend.flush();
      }
    }
  }

  /** Switches both connections to a raw byte tunnel once the 101 has gone to the client. */
  private void tunnel(InFlight x) {
    Channel b = x.backend;
    x.phase = InFlight.Phase.DONE;
    state.inFlight.decrement();
    state.metrics.request(x.answered.metric(), 101, System.nanoTime() - x.startNanos);
    cur = null;
    closing = true;
    ChannelHandlerContext ctx = ctx();
    if (b == null) {
      ctx.close();
      return;
    }
    x.backend = null;
    ctx.flush();
    RelayHandler.tunnel(ctx, b);
  }

  /**
   * Answers a request the proxy will not forward (it was never routed nor captured), counted under
   * the {@code proxy} target, and closes: what follows it on the connection cannot be trusted.
   */
  private void refuse(FullHttpResponse r) {
    state.metrics.request(ProxyMetrics.TargetTag.PROXY, r.status().code(), 0);
    closing = true;
    ctx().writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ClientTimeouts.Expired e) {
      if (closing) {
        return;
      }
      if (e == ClientTimeouts.Expired.IDLE) {
        if (cur == null && queued.isEmpty()) {
          closing = true;
          ctx.close();
        }
        return;
      }
      // After the messages decoded before it: the requests ahead are still answered.
      enqueueOrHandle(e);
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** A request head or body that stopped arriving: 408 (or a close, mid-response), then the connection closes. */
  private void expired(ClientTimeouts.Expired e) {
    InFlight x = cur;
    if (e == ClientTimeouts.Expired.BODY && x != null && !x.done()) {
      x.keepAlive = false;
      ExchangeError err = new ExchangeError(ExchangeError.Kind.CLIENT_ABORTED, "client stopped sending the request"
          + " body");
      if (x.phase.responseStarted()) {
        abort(x, err);
      } else {
        respond(x, ErrorResponses.error(408, "request_timeout", "no request body data for "
            + ClientTimeouts.describe(state.config.clientBodyTimeout()), false), err);
      }
      return;
    }
    if (x != null && !x.done()) {
      // Cannot happen (a head expires only after the requests before it are answered); be safe.
      x.keepAlive = false;
      abort(x, new ExchangeError(ExchangeError.Kind.CLIENT_ABORTED, "client connection timed out"));
      return;
    }
    refuse(ErrorResponses.error(408, "request_timeout", "the request head was not complete within "
        + ClientTimeouts.describe(state.config.clientHeaderTimeout()), false));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    InFlight x = cur;
    if (x != null && !x.done()) {
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
