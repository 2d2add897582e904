package dev.tapline.proxy;

import dev.tapline.core.Exchange;
import dev.tapline.core.Redactor;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread between the event loops and the sink. Event loops only {@link #offer} (never
 * block: a full queue or byte budget is a drop); this thread builds, redacts and hands exchanges
 * to the sink, so capture costs the forwarding path a queue insert and two counter increments
 * (captured, pending: see {@link ProxyMetrics}).
 *
 * <p>Under load the event loops do not wake this thread: it takes what has queued up every
 * millisecond ({@link #TICK_NANOS}), so a busy proxy pays no wake-up system call per capture and
 * the publisher runs a thousand times a second at most. Only after {@link #IDLE_TICKS} empty
 * ticks does it go to sleep, and then the next capture wakes it.
 */
final class CapturePublisher {
  private static final Logger log = LoggerFactory.getLogger(CapturePublisher.class);
  // Bodies waiting in the queue may hold at most this much heap, whatever the queue length.
  private static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;

  private static final long TICK_NANOS = 1_000_000L;
  private static final int IDLE_TICKS = 50;
  private static final long SLEEP_NANOS = 1_000_000_000L;
  private static final int BATCH = 256;

  private final Queue<Capture> queue = new ConcurrentLinkedQueue<>();
  private final int capacity;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong queuedBytes = new AtomicLong();
  /** Set while the publisher sleeps until woken (after a run of empty ticks). */
  private volatile boolean sleeping;
  private final ExchangeSink sink;
  private final Redactor redactor;
  private final String service;
  private final String proxyId;
  private final ProxyMetrics metrics;
  private final Consumer<ExchangeSink.Delivery> delivered;
  private final Thread thread;
  private volatile boolean closing;

  CapturePublisher(ExchangeSink sink, ProxyConfig config, ProxyMetrics metrics) {
    this.capacity = config.queueCapacity();
    this.sink = sink;
    this.redactor = config.redactor();
    this.service = config.service();
    this.proxyId = config.proxyId();
    this.metrics = metrics;
    this.delivered = metrics::delivered; // one callback for every offer
    metrics.queueDepth(queued::get);
    this.thread = new Thread(this::run, "tapline-capture-publisher");
    thread.setDaemon(true);
    thread.start();
  }

  /** Called on an event loop: never blocks. */
  void offer(Capture c) {
    long size = weight(c);
    if (closing || queuedBytes.addAndGet(size) > MAX_QUEUED_BYTES) {
      queuedBytes.addAndGet(-size);
      metrics.capturedButQueueFull();
      return;
    }
    if (queued.incrementAndGet() > capacity) {
      queued.decrementAndGet();
      queuedBytes.addAndGet(-size);
      metrics.capturedButQueueFull();
      return;
    }
    metrics.captured();
    queue.offer(c);
    if (sleeping) {
      LockSupport.unpark(thread);
    }
  }

  private static long weight(Capture c) {
    long n = 512 + Math.min(c.requestBody.total(), c.requestBody.max());
    if (c.responseBody != null) {
      n += Math.min(c.responseBody.total(), c.responseBody.max());
    }
    return n;
  }

  private void run() {
    int idle = 0;
    while (!Thread.currentThread().isInterrupted()) { // interrupted: closing took too long
      int n = 0;
      Capture c;
      while (n < BATCH && (c = queue.poll()) != null) {
        n++;
        queued.decrementAndGet();
        queuedBytes.addAndGet(-weight(c));
        publish(c);
      }
      if (n == BATCH) {
        continue; // more is waiting
      }
      if (n > 0) {
        idle = 0;
      } else if (closing) {
        break;
      } else if (++idle >= IDLE_TICKS) {
        sleeping = true;
        if (queue.isEmpty() && !closing) { // an offer after this sees sleeping and wakes us
          LockSupport.parkNanos(this, SLEEP_NANOS);
        }
        sleeping = false;
        continue; // still idle: back to sleep unless something came
      }
      LockSupport.parkNanos(this, TICK_NANOS);
    }
  }

  private void publish(Capture c) {
    Exchange e;
    try {
      e = redactor.redact(c.toExchange(service, proxyId));
    } catch (RuntimeException ex) {
      log.warn("could not build the exchange for {} {}: {}", c.method, c.uri, ex.toString());
      metrics.delivered(new ExchangeSink.Delivery.Dropped(ExchangeSink.DropReason.FAILED, ex));
      return;
    }
    try {
      sink.offer(e, delivered);
    } catch (RuntimeException ex) {
      log.warn("sink {} failed on exchange {}: {}", sink.describe(), e.id(), ex.toString());
      metrics.delivered(new ExchangeSink.Delivery.Dropped(ExchangeSink.DropReason.FAILED, ex));
    }
  }

  /** Publishes what is queued (up to a few seconds' worth), then closes the sink. */
  CompletableFuture<Void> close() {
    closing = true;
    LockSupport.unpark(thread);
    CompletableFuture<Void> drained = new CompletableFuture<>();
    Thread waiter = new Thread(() -> {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread.interrupt();
      drained.complete(null);
    }, "tapline-capture-drain");
    waiter.setDaemon(true);
    waiter.start();
    return drained.thenCompose(v -> sink.close());
  }
}
