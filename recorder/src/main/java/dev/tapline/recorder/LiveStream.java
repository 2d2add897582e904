package dev.tapline.recorder;

import dev.tapline.core.api.ExchangeSummary;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.memory.MemoryIndex;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live tail behind {@code /api/stream}. A subscriber starts at a position in the ingest sequence
 * and is handed, in order, the exchanges matching its query that are ingested after it: the first
 * batch while it subscribes, later ones from one dispatcher thread that runs after every index
 * refresh, after every decoded batch (and when a writer drained a full queue). Each subscriber has a
 * bounded queue; ingest never waits for it, and a subscriber whose queue stays full for {@code
 * slowClientTimeout} is dropped (its writer is interrupted, which closes its connection). {@link
 * Subscriber#caughtUp} tells the writer when everything it can be handed so far has been queued, so a
 * response can end there. Each look runs under a deadline ({@link ExchangeIndex#streamTimeout()}); a
 * subscriber whose look runs past it is ended with its {@link Subscriber#failure}.
 *
 * <p>Exchanges reach the stream before the index has them. The ingestor hands every decoded batch
 * to {@link #decoded} while someone follows the stream (or did within {@link #KEEP_FRESH_NANOS});
 * they wait here, as their Lucene documents, until a refresh makes them visible, and the dispatcher
 * matches each against the subscribers' queries in a {@link MemoryIndex} of that one document. So a
 * client sees an exchange a few milliseconds after it is decoded, however far behind the index is
 * (it yields the CPU to traffic, refreshes every 200 ms, once a second while catching up). A
 * subscriber takes exchanges from here only in order, right after its position; one behind them
 * reads the index until it reaches them. What is kept here is bounded ({@link #MAX_FRESH_BYTES}); the
 * oldest fall out first and are read from the index.
 */
final class LiveStream implements ReferenceManager.RefreshListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveStream.class);

  /** How long exchanges are still kept for the stream after the last client left (a viewer asks again). */
  static final long KEEP_FRESH_NANOS = 30_000_000_000L;
  /** The most the exchanges waiting for the index may take here (their documents' bytes, about). */
  static final long MAX_FRESH_BYTES = 32L << 20;

  private final ExchangeIndex index;
  private final RecorderMetrics metrics;
  /** Decoded exchanges not yet known to be visible in the index, in sequence order, without gaps. */
  private final ArrayDeque<Fresh> fresh = new ArrayDeque<>();
  /** Batches decoded ahead of one still being decoded, by first sequence number. */
  private final TreeMap<Long, Fresh[]> early = new TreeMap<>();
  private long freshBytes;
  /** Every exchange up to this sequence number has been decoded (and handed here). */
  private volatile long freshHead;
  private volatile long keepFreshUntil = System.nanoTime() - 1;
  /** The dispatcher's: one document at a time, reset for the next. */
  private final MemoryIndex matcher = new MemoryIndex(false, false);
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
    this.freshHead = index.maxVisibleSeq();
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
    /** Its queue filled during the current look at fresh exchanges. */
    boolean full;
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
    long now = head();
    long after = now;
    if (afterId != null && afterId.startsWith(SEQ_PREFIX)) {
      try {
        // @-1 is the position of an empty index: everything indexed since comes next
        after = Math.max(-1, Math.min(now, Long.parseLong(afterId.substring(SEQ_PREFIX.length()).trim())));
      } catch (NumberFormatException e) {
        after = now;
      }
    } else if (afterId != null && !afterId.isBlank()) {
      long seq = freshSeqOf(afterId.trim());
      if (seq < 0) {
        seq = index.seqOf(afterId.trim());
      }
      after = seq < 0 ? now : seq;
    }
    Subscriber s = new Subscriber(query, after, capacity, Thread.currentThread());
    keepFreshUntil = System.nanoTime() + KEEP_FRESH_NANOS;
    // The first batch on the caller's thread, before the dispatcher can see the subscriber: a
    // response can carry it (or end, caught up) without waiting for the dispatcher.
    if (dispatchIndexed(s)) {
      dispatchFresh(List.of(s), new MemoryIndex(false, false));
    }
    subscribers.add(s);
    metrics.streamClients.set(subscribers.size());
    wake.release();
    return s;
  }

  void unsubscribe(Subscriber s) {
    keepFreshUntil = System.nanoTime() + KEEP_FRESH_NANOS;
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
      List<Subscriber> reachedIndexHead = new ArrayList<>(subscribers.size());
      for (Subscriber s : subscribers) {
        try {
          if (dispatchIndexed(s)) {
            reachedIndexHead.add(s);
          }
        } catch (QueryTimeoutException e) {
          fail(s, e);
        } catch (IOException | RuntimeException e) {
          LOG.warn("live stream dispatch failed: {}", e.toString());
        }
      }
      try {
        dispatchFresh(reachedIndexHead, matcher);
      } catch (IOException | RuntimeException e) {
        LOG.warn("live stream dispatch of fresh exchanges failed: {}", e.toString());
      }
    }
  }

  /**
   * Queues what the index has for {@code s} after its position; true when that reached everything
   * visible in the index (the fresh exchanges come next).
   */
  private boolean dispatchIndexed(Subscriber s) throws IOException {
    if (s.dropped) {
      return false;
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
      return false;
    }
    s.fullSince = 0;
    List<ExchangeIndex.Indexed> batch = index.indexedAfter(s.query, s.lastSeq, free);
    for (ExchangeIndex.Indexed e : batch) {
      if (e.summary() != null && !s.queue.offer(e)) {
        s.caughtUp = false;
        return false;
      }
      s.lastSeq = e.seq();
    }
    // A batch that ends with the marker (or is empty) found everything visible; written after
    // lastSeq, so a writer that sees it true also sees the position that goes with it.
    boolean reached = batch.isEmpty() || batch.getLast().summary() == null;
    s.caughtUp = reached;
    return reached;
  }

  /**
   * Queues, for each subscriber right at the end of the index's visible part, the decoded
   * exchanges after its position that match its query. Exchange by exchange, so that each one's
   * document is put in {@code mi} once for all subscribers at that point.
   */
  private void dispatchFresh(List<Subscriber> subs, MemoryIndex mi) throws IOException {
    if (subs.isEmpty()) {
      return;
    }
    long from = Long.MAX_VALUE;
    for (Subscriber s : subs) {
      s.full = false;
      from = Math.min(from, s.lastSeq);
    }
    List<Fresh> entries = freshAfter(from);
    for (Fresh f : entries) {
      IndexSearcher searcher = null;
      for (Subscriber s : subs) {
        if (s.dropped || s.full || s.lastSeq != f.seq - 1) {
          continue; // behind (it reads the index first), or its queue is full
        }
        if (f.doc == null) {
          s.lastSeq = f.seq; // a record that is not an exchange: nothing to send
          continue;
        }
        if (searcher == null && !f.unmatchable && load(mi, f)) {
          searcher = mi.createSearcher();
        }
        if (searcher == null) {
          continue; // cannot be matched here: waits for the index to have it
        }
        if (searcher.count(s.query) > 0) {
          if (!s.queue.offer(new ExchangeIndex.Indexed(f.seq, f.summary(searcher)))) {
            s.full = true;
            continue;
          }
        }
        s.lastSeq = f.seq;
      }
    }
    for (Subscriber s : subs) {
      // Everything it can be handed now is queued unless its queue filled; written after lastSeq.
      s.caughtUp = !s.full;
    }
  }

  /** Puts the exchange's document in {@code mi}; false (and marks it) when it cannot be matched there. */
  private static boolean load(MemoryIndex mi, Fresh f) {
    mi.reset();
    try {
      for (IndexableField field : f.doc) {
        mi.addField(field, IndexSchema.indexAnalyzer());
      }
      return true;
    } catch (RuntimeException e) {
      LOG.debug("exchange {} waits for the index to reach the live stream: {}", f.id, e.toString());
      f.unmatchable = true;
      return false;
    }
  }

  /** The position a new subscriber starts from: after everything decoded (or visible) so far. */
  long head() {
    return Math.max(index.maxVisibleSeq(), freshHead);
  }

  /** Whether decoded batches should be handed over: someone follows the stream, or did a moment ago. */
  boolean wantsFresh() {
    return !subscribers.isEmpty() || System.nanoTime() - keepFreshUntil < 0;
  }

  /**
   * A decoded batch, from the ingestor: its documents by sequence number from {@code baseSeq},
   * null where a record is not an exchange. Batches may arrive out of order (several decoder
   * threads); each is kept until the ones before it have come.
   */
  void decoded(long baseSeq, String[] ids, Document[] docs) {
    boolean keep = wantsFresh();
    Fresh[] batch = new Fresh[docs.length];
    for (int i = 0; i < docs.length; i++) {
      // Not kept: only the position moves on (nobody follows the stream to be handed it).
      batch[i] = keep ? new Fresh(baseSeq + i, ids[i], docs[i], docs[i] == null ? 0 : bytes(docs[i])) : null;
    }
    synchronized (fresh) {
      early.put(baseSeq, batch);
      while (!early.isEmpty() && early.firstKey() <= freshHead + 1) {
        Map.Entry<Long, Fresh[]> next = early.pollFirstEntry();
        long seq = next.getKey();
        for (Fresh f : next.getValue()) {
          if (seq > freshHead) {
            if (f == null) {
              fresh.clear(); // what is kept stays one run without gaps
              freshBytes = 0;
            } else {
              fresh.addLast(f);
              freshBytes += f.bytes;
            }
            freshHead = seq;
          }
          seq++;
        }
      }
      pruneFresh();
    }
    if (keep && !subscribers.isEmpty()) {
      wake.release();
    }
  }

  /** The kept exchanges after {@code seq} (a copy), dropping those the index shows by now. */
  private List<Fresh> freshAfter(long seq) {
    synchronized (fresh) {
      pruneFresh();
      List<Fresh> out = new ArrayList<>();
      for (Fresh f : fresh) {
        if (f.seq > seq) {
          out.add(f);
        }
      }
      return out;
    }
  }

  private void pruneFresh() {
    long visible = index.maxVisibleSeq();
    while (!fresh.isEmpty() && (fresh.peekFirst().seq <= visible || freshBytes > MAX_FRESH_BYTES)) {
      freshBytes -= fresh.pollFirst().bytes;
    }
  }

  private long freshSeqOf(String id) {
    synchronized (fresh) {
      for (Fresh f : fresh) {
        if (id.equals(f.id)) {
          return f.seq;
        }
      }
      return -1;
    }
  }

  /** About what a document holds: its stored exchange and its full-text terms. */
  private static int bytes(Document d) {
    int n = 256;
    for (IndexableField f : d) {
      BytesRef b = f.binaryValue();
      if (b != null) {
        n += b.length;
      } else if (f instanceof AnalyzedField a) {
        n += a.byteSize();
      }
    }
    return n;
  }

  /** A decoded exchange waiting for the index; {@code doc} null for a record that is not one. */
  static final class Fresh {
    final long seq;
    final @Nullable String id;
    final @Nullable Document doc;
    final int bytes;
    /** Its document could not be put in a {@link MemoryIndex}: the index hands it out instead. */
    volatile boolean unmatchable;
    private volatile @Nullable ExchangeSummary summary;

    Fresh(long seq, @Nullable String id, @Nullable Document doc, int bytes) {
      this.seq = seq;
      this.id = id;
      this.doc = doc;
      this.bytes = bytes;
    }

    /** Its summary, read from the doc values of its document (in a memory index) as the index would. */
    ExchangeSummary summary(IndexSearcher searcher) throws IOException {
      ExchangeSummary s = summary;
      if (s == null) {
        s = Summaries.read(searcher, new ScoreDoc[] {new ScoreDoc(0, 0)}).get(0);
        summary = s;
      }
      return s;
    }
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
