package dev.tapline.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * One forwarded request/response on a client connection, from its request head to the end of its
 * response. Touched on the connection's event loop only, by {@link FrontendHandler} and the {@link
 * BackendHandler} it is attached to.
 *
 * <pre>
 * SENDING ──request ends──► AWAITING_RESPONSE ──response head──► RESPONDING ──response ends──► DONE
 *    │                                                               ▲
 *    └──response head──► RESPONDING_EARLY ──request ends─────────────┘
 *                          (the client connection closes after this exchange)
 *
 * SENDING or AWAITING_RESPONSE ──101 to a WebSocket handshake──► UPGRADING ──its end──► DONE (tunnel)
 * </pre>
 *
 * Any phase may also end in DONE at once: the response ends before the request did, the proxy
 * answers in the upstream's place (502, 504, 408, 400), or either connection goes away.
 *
 * <p>The rules of a route add three ways through those phases. An <b>override</b> keeps the whole
 * request ({@link #holding}) before it is sent to the developer's process, so that it can go again,
 * unchanged, to the fallback when that process does not take it. A <b>mock</b> or a fault's
 * <b>status</b> is answered by the proxy ({@link #local}): the request body is read and dropped, and
 * the {@link #answer} goes out once the request has ended. A fault's <b>delay</b> holds the request
 * on a {@link #timer} before it goes on.
 */
final class InFlight {

  enum Phase {
    /** The request body is still arriving; until the upstream is connected it waits in {@link InFlight#pending}. */
    SENDING,
    /** The whole request is forwarded (or waits for the connection); no response yet. */
    AWAITING_RESPONSE,
    /** The response streams back before the request ended; the request body still streams up. */
    RESPONDING_EARLY,
    /** The response streams back. */
    RESPONDING,
    /** A 101 to a WebSocket handshake went to the client; at its end both connections become a tunnel. */
    UPGRADING,
    /** Answered, aborted or tunnelled: what arrives for it later is dropped. */
    DONE;

    /** True once the client sent all of this request: what it sends next belongs to the next one. */
    boolean requestComplete() {
      return this != SENDING && this != RESPONDING_EARLY;
    }

    /** True while the client has (part of) a response: an error can then only close the connection. */
    boolean responseStarted() {
      return this == RESPONDING_EARLY || this == RESPONDING || this == UPGRADING;
    }
  }

  /** How the upstream connection was obtained. */
  enum Attempt {
    NEW,
    /** An idle pooled connection, which the upstream may have closed meanwhile. */
    POOLED,
    /** A new connection after a pooled one turned out closed; there is no second retry. */
    RETRY
  }

  final HttpRequest request;
  /** Where the router sent the request. */
  final Target target;
  /** The target whose answer the client gets: {@link #target}, or an override's fallback. */
  Target answered;
  /** The upstream of the current attempt; null while the proxy answers itself. */
  @Nullable Upstream upstream;
  /** The client sent no {@code Host}: each upstream tried gets its own. */
  final boolean hostless;
  final @Nullable Capture capture;
  final long startNanos;
  final boolean http10;
  final boolean head;
  final boolean webSocket;
  Phase phase = Phase.SENDING;
  Attempt attempt = Attempt.NEW;
  /** The client connection stays open after this exchange. */
  boolean keepAlive;
  /** The client asked for a 100 Continue, which the proxy sends once the upstream is connected. */
  boolean expectContinue;
  /** Null while connecting. */
  @Nullable Channel backend;
  /** Request body that arrived while connecting. */
  @Nullable ArrayDeque<HttpContent> pending;
  long requestBodyBytes;
  /** The status the client got, 0 before a response head. */
  int status;
  /** The upstream connection may go back to the pool after this response. */
  boolean upstreamKeepAlive;
  /** The override being tried; null before, after, and for other targets. */
  Target.@Nullable Overriding override;
  /** The request body stays in {@link #pending} and goes out as copies: it may be sent again. */
  boolean holding;
  /** No upstream: the proxy answers with {@link #answer} once the request has ended. */
  boolean local;
  /** The proxy's own answer, once known (a recorded mock is read first). */
  @Nullable FullHttpResponse answer;
  /** What the client's response says about the override in {@code Tapline-Override}, or null. */
  @Nullable String overrideNote;
  /** The override's deadline, or a fault's delay. */
  @Nullable ScheduledFuture<?> timer;
  /** Counts connection attempts: a connection that completes for an abandoned one is let go. */
  int attempts;

  InFlight(HttpRequest request, Target target, @Nullable Capture capture, long startNanos, boolean webSocket,
      boolean hostless) {
    this.request = request;
    this.target = target;
    this.answered = target;
    this.hostless = hostless;
    this.capture = capture;
    this.startNanos = startNanos;
    this.http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    this.head = request.method().equals(HttpMethod.HEAD);
    this.webSocket = webSocket;
  }

  boolean done() {
    return phase == Phase.DONE;
  }

  void requestEnded() {
    if (phase == Phase.SENDING) {
      phase = Phase.AWAITING_RESPONSE;
    } else if (phase == Phase.RESPONDING_EARLY) {
      phase = Phase.RESPONDING;
    }
  }

  void responseStarted(int status, boolean upstreamKeepAlive) {
    this.status = status;
    this.upstreamKeepAlive = upstreamKeepAlive;
    if (webSocket && status == 101) {
      phase = Phase.UPGRADING;
    } else if (phase.requestComplete()) {
      phase = Phase.RESPONDING;
    } else {
      phase = Phase.RESPONDING_EARLY;
      keepAlive = false; // answered before the request finished: not worth draining the rest
    }
  }

  /**
   * A request that can go again, unchanged, on a new connection: complete, not answered, and
   * bodiless or with its body {@linkplain #holding held}.
   */
  boolean replayable() {
    return phase == Phase.AWAITING_RESPONSE && (holding || (requestBodyBytes == 0 && pending == null));
  }

  void cancelTimer() {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
      timer = null;
    }
  }

  /** Lets go of what an exchange holds when it ends: held body, an answer not sent, the timer. */
  void releaseAll() {
    cancelTimer();
    holding = false;
    FullHttpResponse a = answer;
    answer = null;
    if (a != null) {
      ReferenceCountUtil.release(a);
    }
    releasePending();
  }

  void releasePending() {
    ArrayDeque<HttpContent> p = pending;
    if (p != null) {
      HttpContent c;
      while ((c = p.poll()) != null) {
        c.release();
      }
      pending = null;
    }
  }
}
