package dev.tapline.proxy;

import dev.tapline.core.Exchange;
import dev.tapline.core.Redactor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread between the event loops and the sink. Event loops only {@link #offer} (never
 * block: a full queue or byte budget is a drop); this thread builds, redacts and hands exchanges
 * to the sink, so capture costs the forwarding path a queue insert.
 */
final class CapturePublisher {
  private static final Logger log = LoggerFactory.getLogger(CapturePublisher.class);
  // Bodies waiting in the queue may hold at most this much heap, whatever the queue length.
  private static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;

  private final ArrayBlockingQueue<Capture> queue;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final ExchangeSink sink;
  private final Redactor redactor;
  private final String service;
  private final String proxyId;
  private final ProxyMetrics metrics;
  private final boolean kafka;
  private final Thread thread;
  private volatile boolean closing;

  CapturePublisher(ExchangeSink sink, boolean kafka, ProxyConfig config, ProxyMetrics metrics) {
    this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
    this.sink = sink;
    this.kafka = kafka;
    this.redactor = config.redactor();
    this.service = config.service();
    this.proxyId = config.proxyId();
    this.metrics = metrics;
    metrics.queueDepth(queue::size);
    this.thread = new Thread(this::run, "tapline-capture-publisher");
    thread.setDaemon(true);
    thread.start();
  }

  /** Called on an event loop: never blocks. */
  void offer(Capture c) {
    long size = weight(c);
    if (closing || queuedBytes.addAndGet(size) > MAX_QUEUED_BYTES) {
      queuedBytes.addAndGet(-size);
      metrics.dropped();
      return;
    }
    if (!queue.offer(c)) {
      queuedBytes.addAndGet(-size);
      metrics.dropped();
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
    List<Capture> batch = new ArrayList<>(256);
    while (true) {
      Capture c;
      try {
        c = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        break;
      }
      if (c == null) {
        if (closing) {
          break;
        }
        continue;
      }
      // Take what else is waiting in one go: fewer wake-ups and lock round trips under load.
      batch.add(c);
      queue.drainTo(batch, 255);
      for (Capture x : batch) {
        queuedBytes.addAndGet(-weight(x));
        publish(x);
      }
      batch.clear();
    }
  }

  private void publish(Capture c) {
    Exchange e;
    try {
      e = redactor.redact(c.toExchange(service, proxyId));
    } catch (RuntimeException ex) {
      log.warn("could not build the exchange for {} {}: {}", c.method, c.uri, ex.toString());
      metrics.failed(false);
      return;
    }
    boolean accepted;
    try {
      accepted = sink.offer(e, failure -> {
        if (failure == null) {
          metrics.captured();
        } else {
          metrics.failed(kafka);
        }
      });
    } catch (RuntimeException ex) {
      log.warn("sink {} failed on exchange {}: {}", sink.describe(), e.id(), ex.toString());
      metrics.failed(kafka);
      return;
    }
    if (!accepted) {
      metrics.dropped();
    }
  }

  int depth() {
    return queue.size();
  }

  /** Publishes what is queued (up to a few seconds' worth), then closes the sink. */
  CompletableFuture<Void> close() {
    closing = true;
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
