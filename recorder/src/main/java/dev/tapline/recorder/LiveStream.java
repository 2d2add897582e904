package dev.tapline.recorder;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ReferenceManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live tail behind {@code /api/stream}. A subscriber starts at a position in the ingest sequence
 * and is handed, in order, the exchanges matching its query that are indexed after it: the first
 * batch while it subscribes, later ones from one dispatcher thread that runs after every index
 * refresh (and when a writer drained a full queue). Each subscriber has a bounded queue; ingest
 * never waits for it, and a subscriber whose queue stays full for {@code slowClientTimeout} is
 * dropped (its writer is interrupted, which closes its connection). {@link Subscriber#caughtUp}
 * tells the writer when everything visible so far has been queued, so a response can end there.
 * Each look runs under a deadline ({@link ExchangeIndex#streamTimeout()}); a subscriber whose look
 * runs past it is ended with its {@link Subscriber#failure}.
 */
final class LiveStream implements ReferenceManager.RefreshListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveStream.class);

  private final ExchangeIndex index;
  private final RecorderMetrics metrics;
  private final int capacity;
  private final long slowNanos;
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final Semaphore wake = new Semaphore(0);
  private final Thread dispatcher;
  private volatile boolean closed;

  LiveStream(ExchangeIndex index, RecorderMetrics metrics, int capacity, Duration slowClientTimeout) {
    this.index = index;
    this.metrics = metrics;
    this.capacity = capacity;
    this.slowNanos = slowClientTimeout.toNanos();
    this.dispatcher = new Thread(this::dispatchLoop, "tapline-stream-dispatch");
    this.dispatcher.setDaemon(true);
    this.dispatcher.start();
    index.addRefreshListener(this);
  }

  /**
   * Marks a {@code Last-Event-ID} that is a position in the ingest sequence rather than an exchange
   * id: sent at the end of every response, so the next request resumes exactly there.
   */
  static final String SEQ_PREFIX = "@";

  static final class Subscriber {
    final Query query;
    final BlockingQueue<ExchangeIndex.Indexed> queue;
    final Thread writer;
    volatile long lastSeq;
    /** Everything that matched and was visible at the last look has been queued. */
    volatile boolean caughtUp;
    long fullSince;
    volatile boolean dropped;
    /** Why the stream ended on the server's side (its filter ran past the deadline), or null. */
    volatile @Nullable String failure;

    Subscriber(Query query, long lastSeq, int capacity, Thread writer) {
      this.query = query;
      this.lastSeq = lastSeq;
      this.queue = new ArrayBlockingQueue<>(capacity);
      this.writer = writer;
    }
  }

  /**
   * Registers the calling thread as a subscriber for exchanges matching {@code query}, with what is
   * already indexed after its position in its queue (up to the queue's capacity).
   *
   * @param afterId resume after this exchange or at this {@code @position} (a {@code Last-Event-ID});
   *     null, malformed or unknown = from now
   * @throws QueryTimeoutException when the first look ran past its deadline (nothing is registered)
   */
  Subscriber subscribe(Query query, @Nullable String afterId) throws IOException {
    long now = index.maxVisibleSeq();
    long after = now;
    if (afterId != null && afterId.startsWith(SEQ_PREFIX)) {
      try {
        // @-1 is the position of an empty index: everything indexed since comes next
        after = Math.max(-1, Math.min(now, Long.parseLong(afterId.substring(SEQ_PREFIX.length()).trim())));
      } catch (NumberFormatException e) {
        after = now;
      }
    } else if (afterId != null && !afterId.isBlank()) {
      long seq = index.seqOf(afterId.trim());
      after = seq < 0 ? now : seq;
    }
    Subscriber s = new Subscriber(query, after, capacity, Thread.currentThread());
    // The first batch on the caller's thread, before the dispatcher can see the subscriber: a
    // response can carry it (or end, caught up) without waiting for the dispatcher.
    dispatch(s);
    subscribers.add(s);
    metrics.streamClients.set(subscribers.size());
    wake.release();
    return s;
  }

  void unsubscribe(Subscriber s) {
    subscribers.remove(s);
    metrics.streamClients.set(subscribers.size());
  }

  /** A subscriber's writer emptied its queue while it has a backlog: queue the next part now. */
  void drained() {
    wake.release();
  }

  @Override
  public void beforeRefresh() {}

  @Override
  public void afterRefresh(boolean didRefresh) {
    if (didRefresh && !subscribers.isEmpty()) {
      wake.release();
    }
  }

  private void dispatchLoop() {
    while (!closed) {
      try {
        // Also wake on a timer: a subscriber that drained its queue may have a backlog to catch up.
        wake.tryAcquire(250, TimeUnit.MILLISECONDS);
        wake.drainPermits();
      } catch (InterruptedException e) {
        return;
      }
      for (Subscriber s : subscribers) {
        try {
          dispatch(s);
        } catch (QueryTimeoutException e) {
          fail(s, e);
        } catch (IOException | RuntimeException e) {
          LOG.warn("live stream dispatch failed: {}", e.toString());
        }
      }
    }
  }

  private void dispatch(Subscriber s) throws IOException {
    if (s.dropped) {
      return;
    }
    int free = s.queue.remainingCapacity();
    if (free == 0) {
      s.caughtUp = false;
      long now = System.nanoTime();
      if (s.fullSince == 0) {
        s.fullSince = now;
      } else if (now - s.fullSince > slowNanos) {
        drop(s);
      }
      return;
    }
    s.fullSince = 0;
    List<ExchangeIndex.Indexed> batch = index.indexedAfter(s.query, s.lastSeq, free);
    for (ExchangeIndex.Indexed e : batch) {
      if (e.summary() != null && !s.queue.offer(e)) {
        s.caughtUp = false;
        return;
      }
      s.lastSeq = e.seq();
    }
    // A batch that ends with the marker (or is empty) found everything visible; written after
    // lastSeq, so a writer that sees it true also sees the position that goes with it.
    s.caughtUp = batch.isEmpty() || batch.getLast().summary() == null;
  }

  /**
   * Ends a subscriber whose filter ran past the deadline: a look takes at most a second, but one
   * that keeps needing all of it would hold up every other client. Its writer says why and ends.
   */
  private void fail(Subscriber s, QueryTimeoutException e) {
    s.failure = e.getMessage() + ": narrow the stream's filter (fewer wildcards and phrases)";
    s.dropped = true;
    unsubscribe(s);
    String q = s.query.toString();
    LOG.info("ended a live stream whose filter ran past its deadline: {}", q.length() <= 200 ? q : q.substring(0, 200) + "...");
  }

  private void drop(Subscriber s) {
    s.dropped = true;
    unsubscribe(s);
    metrics.streamDropped.increment();
    LOG.info("dropped a live-stream client that stopped reading ({} events waiting)", s.queue.size());
    // Interrupting a thread blocked on a socket channel closes the channel: the connection ends.
    s.writer.interrupt();
  }

  @Override
  public void close() {
    closed = true;
    dispatcher.interrupt();
    for (Subscriber s : subscribers) {
      s.dropped = true;
      s.writer.interrupt();
    }
    subscribers.clear();
  }
}
