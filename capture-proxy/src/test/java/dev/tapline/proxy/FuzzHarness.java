package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.proxy.RawHttp.Conversation;
import dev.tapline.proxy.RawHttp.Reply;
import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A proxy in front of a {@link StrictUpstream}, with timeouts of a fraction of a second so that
 * every probe ends quickly, Netty's leak detector at PARANOID reporting into {@link #leaks}, and the
 * checks every probe must pass:
 *
 * <ul>
 *   <li>every response is framed one way only ({@link RawHttp#readStrict}) and is either the
 *       upstream's (to a well-formed request) or the proxy's own refusal (400, 408, 414, 431, 501,
 *       505, with a JSON body), after which the connection closes;
 *   <li>the connection ends: nothing holds it open past the timeouts;
 *   <li>the upstream never reads a malformed request, and reads exactly as many requests as the
 *       clients got answers from it (a smuggled request would be one more).
 * </ul>
 */
final class FuzzHarness implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofMillis(250);
  static final Set<Integer> PROXY_REFUSALS = Set.of(400, 408, 414, 431, 501, 505);

  final StrictUpstream upstream = StrictUpstream.start();
  final CaptureProxy proxy;
  final ConcurrentLinkedQueue<String> leaks = new ConcurrentLinkedQueue<>();
  /** Answers the clients got from the upstream (not from the proxy itself). */
  final AtomicLong upstreamAnswers = new AtomicLong();
  final AtomicLong captures = new AtomicLong();
  private final ResourceLeakDetector.Level previousLevel = ResourceLeakDetector.getLevel();

  FuzzHarness() {
    watchLeaks(leaks);
    proxy = CaptureProxy.start(ProxyConfig.builder().service("fuzz").baseline(upstream.uri())
        .capture(CapturePolicy.ALL).sink(ExchangeSink.custom(e -> captures.incrementAndGet()))
        .clientHeaderTimeout(TIMEOUT).clientBodyTimeout(TIMEOUT).clientIdleTimeout(TIMEOUT)
        .responseTimeout(Duration.ofSeconds(5)).build());
  }

  /** Sends {@code bytes} on a new connection and reads what comes back until the proxy closes it. */
  Conversation send(byte[] bytes) throws IOException {
    try (Socket s = RawHttp.connect(proxy.port())) {
      s.setSoTimeout(5_000);
      try {
        RawHttp.send(s, bytes);
      } catch (java.net.SocketException e) {
        // The proxy refused and closed while we were still sending a large probe: read what it said.
      }
      return RawHttp.readAll(s, 64);
    }
  }

  /** Sends a probe and checks what came back; returns why it failed, or null. */
  String check(HttpFuzz.Probe probe) {
    Conversation c;
    try {
      c = send(probe.bytes());
    } catch (RawHttp.MalformedResponse e) {
      return "the proxy sent a malformed response: " + e.getMessage();
    } catch (IOException e) {
      return "I/O: " + e;
    }
    List<Reply> replies = c.replies();
    for (int i = 0; i < replies.size(); i++) {
      Reply r = replies.get(i);
      if ("1".equals(r.headers().get("x-strict-upstream"))) {
        upstreamAnswers.incrementAndGet();
        continue;
      }
      if (!PROXY_REFUSALS.contains(r.status())) {
        return "unexpected status " + r.status() + " " + r.text();
      }
      if (!"application/json".equals(r.headers().get("content-type")) || !r.text().startsWith("{\"error\":")) {
        return "refusal without a JSON error body: " + r.headers() + " " + r.text();
      }
      if (i != replies.size() - 1 || !c.closed()) {
        return "the connection stayed open after refusal " + r.status() + " (" + replies.size() + " replies)";
      }
    }
    if (!c.closed()) {
      return "the connection was still open after 5 s, after " + c.statuses();
    }
    return null;
  }

  /** The checks on the upstream's side, after a batch of probes. */
  void assertUpstreamSawOnlyWellFormedRequests() {
    assertThat(upstream.violations).as("malformed requests the upstream read").isEmpty();
    assertThat(upstream.received.size()).as("requests the upstream read, against answers clients got from it")
        .isEqualTo((int) upstreamAnswers.get());
  }

  /** A plain request on a new connection still gets the upstream's answer. */
  void assertStillServes() throws IOException {
    Conversation c = send(("GET /after HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n").getBytes());
    assertThat(c.statuses()).containsExactly(200);
    assertThat(c.replies().get(0).headers()).containsEntry("x-strict-upstream", "1");
    upstreamAnswers.incrementAndGet();
  }

  /** Collects garbage and makes the detector look at it: leaked buffers are reported now. */
  void assertNoLeaks() {
    drainLeakReports();
    assertThat(leaks).as("buffers Netty's leak detector found unreleased").isEmpty();
  }

  static void drainLeakReports() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      // The detector reports what was collected when it tracks the next buffers.
      for (int j = 0; j < 200; j++) {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(64);
        b.release();
      }
    }
  }

  /** Direct memory in use: Netty's own count when it keeps one, else the default allocator's. */
  static long usedDirectMemory() {
    long counted = PlatformDependent.usedDirectMemory();
    if (counted >= 0) {
      return counted;
    }
    return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p ? p.metric().usedDirectMemory() : 0;
  }

  /** Leak detection at PARANOID from now on, each leak reported into {@code leaks}. */
  static void watchLeaks(ConcurrentLinkedQueue<String> leaks) {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    drainLeakReports(); // garbage of earlier tests in this JVM is theirs
    byteBufLeakDetector().setLeakListener((type, records) -> leaks.add(type + ": " + records));
  }

  static void stopWatchingLeaks(ResourceLeakDetector.Level level) {
    byteBufLeakDetector().setLeakListener(null);
    ResourceLeakDetector.setLevel(level);
  }

  @SuppressWarnings("unchecked")
  private static ResourceLeakDetector<ByteBuf> byteBufLeakDetector() {
    try {
      Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
      f.setAccessible(true);
      return (ResourceLeakDetector<ByteBuf>) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Netty's ByteBuf leak detector moved: " + e, e);
    }
  }

  @Override
  public void close() {
    proxy.close();
    upstream.close();
    stopWatchingLeaks(previousLevel);
  }
}
