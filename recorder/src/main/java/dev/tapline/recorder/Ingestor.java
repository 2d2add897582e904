package dev.tapline.recorder;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.lucene.document.Document;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka → Lucene. One thread polls and books; decoder threads turn each batch into documents and
 * writer threads add them to the index writer, so on two cores the Lucene work on one batch and the
 * JSON work on the next run side by side. With more index threads, each batch is split between as
 * many writers (each fills its own Lucene segment), and decoding is split the same way. Decoded
 * batches go to the live stream at once ({@link LiveStream#decoded}), before the index has them. The
 * Lucene commit records, for every partition, the next offset to read; Kafka offsets are committed
 * only after that commit. On (re)assignment a partition resumes from the offset in the index, and a
 * partition the index has never seen starts at the beginning of the topic: the index is a
 * materialized view of the log, and a crash at any point neither loses nor duplicates an exchange
 * (a redelivered record replaces itself: the exchange id is the document key).
 */
final class Ingestor {
  private static final Logger LOG = LoggerFactory.getLogger(Ingestor.class);
  static final String ERROR_HEADER = "tapline-error";
  static final String SOURCE_HEADER = "tapline-source";
  private static final String OFFSET_KEY = "offset:";
  private static final String SEQ_KEY = "seq";
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final Duration IDLE_POLL = Duration.ofMillis(100);
  /** How often the loop looks at the writers and the topic while the writers are busy or paused. */
  private static final long LOOK_NANOS = 10_000_000L;

  private final RecorderConfig config;
  private final ExchangeIndex index;
  private final RecorderMetrics metrics;
  private final @Nullable LiveStream stream;
  private final KafkaConsumer<byte[], byte[]> consumer;
  /** Decodes records into documents, one batch ahead of the ingest thread. */
  private final ExecutorService decoders;
  /**
   * The same at normal priority, for batches someone follows on the live stream: it shows each
   * batch once decoded, and niced decoders on CPUs kept busy by traffic fell seconds behind it
   * (docs/BENCHMARKS.md). Only the decoding; indexing stays background work.
   */
  private final ExecutorService liveDecoders;
  /**
   * The threads that add documents to the index writer, one per index thread, at background
   * priority. The ingest thread only reads, hands out and keeps the books, at normal priority, so
   * that the live stream's reads never wait behind indexing that yields to traffic.
   */
  private final ExecutorService writers;
  /** The batch the writers are adding now (null when none), done once {@link #added} is. */
  private @Nullable Batch adding;
  private @Nullable Future<?> added;
  private long addingSince;
  /**
   * Batches read and being decoded (or decoded) but not indexed yet, oldest first; only the ingest
   * thread touches them. Usually one, decoded while the one before it is indexed; more while the
   * pacer pauses indexing, up to {@link #maxAhead} records.
   */
  private final ArrayDeque<Batch> pending = new ArrayDeque<>();
  private int pendingRecords;
  /** Records read ahead of the index at most; then reading waits for indexing. */
  private final int maxAhead;
  private final Thread thread;
  /**
   * Per partition, the next offset to read; covers everything added to the index writer. Written
   * by the ingest thread only; {@link BrokerLag} reads it.
   */
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  /** The partitions this recorder holds now (the ingest thread writes, {@link BrokerLag} reads). */
  private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
  private @Nullable KafkaProducer<byte[], byte[]> dlq;
  /** The sequence number of the next record polled, and of the next record after the last one indexed. */
  private long nextSeq;
  private long indexedSeq;
  private boolean dirty;
  private long lastCommitNanos = System.nanoTime();
  private long lastRetentionNanos;
  /** Lucene commits run here so that polling and indexing never wait for an fsync. */
  private final ExecutorService committer;
  private @Nullable Future<Map<TopicPartition, Long>> inFlight;
  private volatile boolean stopping;
  private final Background.Pacer pacer = new Background.Pacer();
  private volatile @Nullable Throwable failure;

  /** @param stream handed every batch as soon as it is decoded, before it is indexed (or null) */
  Ingestor(RecorderConfig config, ExchangeIndex index, RecorderMetrics metrics, @Nullable LiveStream stream) {
    this.stream = stream;
    this.config = config;
    this.maxAhead = Math.max(4 * config.batchSize(), 8192);
    this.index = index;
    this.metrics = metrics;
    Map<String, String> committed = index.lastCommitData();
    String prefix = OFFSET_KEY + config.topic() + ":";
    committed.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        positions.put(new TopicPartition(config.topic(), Integer.parseInt(k.substring(prefix.length()))), Long.parseLong(v));
      }
    });
    nextSeq = Long.parseLong(committed.getOrDefault(SEQ_KEY, "0"));
    indexedSeq = nextSeq;
    // Retention runs on the first loop, then every retentionCheckInterval.
    lastRetentionNanos = System.nanoTime() - config.retentionCheckInterval().toNanos();
    Properties p = new Properties();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    // Static membership: a recorder restarted on the same index (after a crash too) takes its
    // partitions back at once instead of waiting for the old member's session to expire.
    p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, MemberId.of(config.indexDir()));
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tapline-recorder-" + INSTANCES.incrementAndGet());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.batchSize()));
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 * 1024 * 1024));
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(config.kafkaSettings().clientProperties(p));
    this.decoders = Executors.newFixedThreadPool(config.indexThreads(), Background.threads("tapline-index-decode"));
    this.liveDecoders = Executors.newFixedThreadPool(config.indexThreads(),
        Thread.ofPlatform().daemon().name("tapline-live-decode").factory());
    this.writers = Executors.newFixedThreadPool(config.indexThreads(), Background.threads("tapline-index-writer"));
    this.committer = Executors.newSingleThreadExecutor(Background.threads("tapline-index-commit"));
    this.thread = new Thread(this::run, "tapline-ingest");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Null while ingestion runs; the error that stopped it otherwise. */
  @Nullable Throwable failure() {
    return failure;
  }

  boolean running() {
    return thread.isAlive();
  }

  /** Stops polling, commits what was indexed, leaves the group. */
  void stop() {
    stopping = true;
    consumer.wakeup();
    LockSupport.unpark(thread);
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // No interrupts: a thread interrupted inside Lucene file I/O closes the index's channels.
    decoders.shutdown();
    liveDecoders.shutdown();
    writers.shutdown();
    committer.shutdown();
  }

  private void run() {
    // Not lowered: this thread reads and keeps the books; the writers, decoders, refreshes, commits
    // and merges do the heavy work at background priority.
    try {
      consumer.subscribe(List.of(config.topic()), new Rebalance());
      // Indexing waits until then when the pacer pauses it; reading and decoding go on meanwhile.
      long resumeAt = System.nanoTime();
      while (!stopping) {
        if (added != null && added.isDone()) {
          Batch b = finishAdding();
          long done = System.nanoTime();
          // The batch's whole cost, decoding on the other threads included; and how long the oldest
          // exchange not indexed yet has waited since it was read.
          long pause = pacer.pauseNanos(done - addingSince + b.decodeNanos.get(),
              pending.isEmpty() ? 0 : done - pending.peekFirst().polledAt);
          if (pause > 0) {
            metrics.paused.increment(pause / 1e9);
            resumeAt = done + pause;
          }
        }
        long now = System.nanoTime();
        boolean busy = added != null;
        boolean mayIndex = !busy && !pending.isEmpty() && now - resumeAt >= 0;
        if (pendingRecords < maxAhead) {
          ConsumerRecords<byte[], byte[]> records;
          try {
            // With a batch to hand to the writers, only take what has already arrived. While they
            // add one, or indexing pauses, look every LOOK_NANOS: the live stream gets each batch as
            // soon as it is decoded, however long the index takes.
            records = consumer.poll(mayIndex ? Duration.ZERO
                : pending.isEmpty() && !busy ? IDLE_POLL
                : Duration.ofNanos(busy ? LOOK_NANOS : Math.min(resumeAt - now, LOOK_NANOS)));
          } catch (WakeupException e) {
            break;
          }
          if (!records.isEmpty() || pending.isEmpty()) {
            // A full batch means more is waiting: a backlog, not live traffic.
            index.catchingUp(records.count() >= config.batchSize());
          }
          if (!records.isEmpty()) {
            Batch b = decode(records);
            pending.addLast(b);
            pendingRecords += b.records.size();
          }
        } else if (!mayIndex) {
          LockSupport.parkNanos(this, busy ? LOOK_NANOS : resumeAt - now); // stop() unparks
        }
        // The oldest batch goes to the writers, which add it as soon as it is decoded; the next one
        // is decoded meanwhile.
        if (added == null && !pending.isEmpty() && System.nanoTime() - resumeAt >= 0) {
          Batch b = pending.pollFirst();
          pendingRecords -= b.records.size();
          startAdding(b);
        }
        commitOffsetsOfFinishedCommit();
        now = System.nanoTime();
        if (now - lastRetentionNanos >= config.retentionCheckInterval().toNanos()) {
          lastRetentionNanos = now;
          long cutoff = dev.tapline.core.Ids.nowMicros() - config.retention().toMillis() * 1000;
          index.deleteOlderThan(cutoff);
          dirty = true;
        }
        if (dirty && inFlight == null && now - lastCommitNanos >= config.commitInterval().toNanos()) {
          startCommit();
        }
      }
      indexPending();
      commitNow();
    } catch (Throwable t) {
      failure = t;
      // What was polled after the failed batch is not indexed: closing the consumer below must not
      // index it (see Rebalance) and commit offsets past the batch that failed.
      pending.clear();
      Future<?> a = added;
      if (a != null) {
        try {
          a.get(30, java.util.concurrent.TimeUnit.SECONDS); // not recorded: only so that closing waits for it
        } catch (Exception ignored) {
          // it failed too, or is stuck; the index is closed anyway
        }
      }
      LOG.error("ingestion from {} stopped: {}", config.topic(), t.toString(), t);
    } finally {
      try {
        // A static member stays in the group when it closes unless told otherwise: leave, so that a
        // recorder stopped on purpose hands its partitions to the others at once.
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5))
            .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
      } catch (RuntimeException e) {
        LOG.debug("closing the consumer: {}", e.toString());
      }
      if (dlq != null) {
        dlq.close(Duration.ofSeconds(5));
      }
    }
  }

  /**
   * A polled batch on its way into the index: decoded into documents by the decoder threads while
   * the ingest thread indexes the batch before it. Each decoder fills its own range of the arrays.
   */
  private static final class Batch {
    final List<ConsumerRecord<byte[], byte[]>> records;
    final long baseSeq;
    /** When it was read (System.nanoTime). */
    final long polledAt = System.nanoTime();
    /** How the batch is split between threads, the same for decoding and for indexing. */
    final List<Range> ranges;
    final String[] ids;
    final Document[] docs;
    /** Why a record cannot be indexed (it goes to the dead-letter topic), or null. */
    final String[] poison;
    final List<Future<?>> decoding = new ArrayList<>();
    /** Time the decoder threads spent on it (the pacer counts it with the indexing). */
    final AtomicLong decodeNanos = new AtomicLong();
    /** Ranges still being decoded; the thread that finishes the last one hands the batch to the live stream. */
    final AtomicInteger undecoded;

    Batch(List<ConsumerRecord<byte[], byte[]>> records, long baseSeq, List<Range> ranges) {
      this.records = records;
      this.baseSeq = baseSeq;
      this.ranges = ranges;
      int n = records.size();
      this.ids = new String[n];
      this.docs = new Document[n];
      this.poison = new String[n];
      this.undecoded = new AtomicInteger(ranges.size());
    }
  }

  /** Numbers the records and starts decoding them on the decoder threads; returns at once. */
  private Batch decode(ConsumerRecords<byte[], byte[]> records) {
    List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>(records.count());
    records.forEach(list::add);
    metrics.consumed.increment(list.size());
    Batch batch = new Batch(list, nextSeq, ranges(list.size()));
    nextSeq += list.size();
    ExecutorService pool = stream != null && stream.wantsFresh() ? liveDecoders : decoders;
    for (Range r : batch.ranges) {
      batch.decoding.add(pool.submit(() -> decodeRange(batch, r.from(), r.to())));
    }
    return batch;
  }

  /**
   * Hands a batch to the writer threads: each range is added to the index writer as soon as it is
   * decoded. Batches are added in the order they were polled, one at a time.
   */
  private void startAdding(Batch batch) {
    List<CompletableFuture<Void>> parts = new ArrayList<>(batch.ranges.size());
    for (int i = 0; i < batch.ranges.size(); i++) {
      Range r = batch.ranges.get(i);
      Future<?> decoding = batch.decoding.get(i);
      parts.add(CompletableFuture.runAsync(() -> {
        try {
          await(decoding, "decoding a batch");
          putRange(batch, r.from(), r.to());
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, writers));
    }
    adding = batch;
    addingSince = System.nanoTime();
    added = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
  }

  /**
   * Waits for the batch the writers are adding, then books it as indexed: its dead letters, its
   * offsets, the sequence number the index covers. Null when no batch was being added.
   */
  private @Nullable Batch finishAdding() throws IOException {
    Future<?> f = added;
    Batch batch = adding;
    if (f == null || batch == null) {
      return null;
    }
    try {
      await(f, "indexing a batch");
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof java.io.UncheckedIOException io) {
        throw io.getCause();
      }
      throw e;
    } finally {
      added = null;
      adding = null;
    }
    int n = batch.records.size();
    int poisoned = 0;
    for (int i = 0; i < n; i++) {
      if (batch.poison[i] != null) {
        deadLetter(batch.records.get(i), batch.poison[i]);
        poisoned++;
      }
    }
    metrics.indexed.increment(n - poisoned);
    for (ConsumerRecord<byte[], byte[]> r : batch.records) {
      positions.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
    }
    indexedSeq = batch.baseSeq + n;
    index.markIndexedThrough(indexedSeq - 1);
    dirty = true;
    return batch;
  }

  /** Indexes the batches read but not indexed yet, if any (before a commit that must cover them). */
  private void indexPending() throws IOException {
    finishAdding();
    while (!pending.isEmpty()) {
      Batch b = pending.pollFirst();
      pendingRecords -= b.records.size();
      startAdding(b);
      finishAdding();
    }
  }

  private record Range(int from, int to) {}

  /** How a (non-empty) batch is split between the index threads; small batches are not split. */
  private List<Range> ranges(int size) {
    int threads = Math.min(config.indexThreads(), Math.max(1, size / 64));
    int per = (size + threads - 1) / threads;
    List<Range> out = new ArrayList<>(threads);
    for (int from = 0; from < size; from += per) {
      out.add(new Range(from, Math.min(size, from + per)));
    }
    return out;
  }

  /** The task's result; its IOException as such, anything else as an IllegalStateException. */
  private static <T> T await(Future<T> f, String what) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while " + what, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(what + " failed: " + c, c);
    }
  }

  private void decodeRange(Batch batch, int from, int to) {
    try {
      decodeEach(batch, from, to);
    } finally {
      if (batch.undecoded.decrementAndGet() == 0 && stream != null) {
        // The live stream shows it now; the index will when it has caught up (see LiveStream).
        stream.decoded(batch.baseSeq, batch.ids.clone(), batch.docs.clone());
      }
    }
  }

  private void decodeEach(Batch batch, int from, int to) {
    long started = System.nanoTime();
    for (int i = from; i < to; i++) {
      ConsumerRecord<byte[], byte[]> r = batch.records.get(i);
      byte[] value = r.value();
      if (value == null || value.length == 0) {
        batch.poison[i] = "empty record value";
        continue;
      }
      Exchange e;
      try {
        e = ExchangeCodec.decode(value);
      } catch (ExchangeCodec.DecodeException ex) {
        batch.poison[i] = ex.getMessage();
        continue;
      } catch (RuntimeException ex) {
        batch.poison[i] = "cannot decode: " + ex;
        continue;
      }
      try {
        // Export writes the stored form as one NDJSON line: a pretty-printed value is re-encoded.
        byte[] source = hasLineBreak(value) ? ExchangeCodec.encode(e) : value;
        batch.docs[i] = IndexSchema.document(e, source, batch.baseSeq + i, config.endpoints());
        batch.ids[i] = e.id();
      } catch (RuntimeException ex) {
        batch.poison[i] = "cannot index: " + ex.getMessage();
      }
    }
    batch.decodeNanos.addAndGet(System.nanoTime() - started);
  }

  private void putRange(Batch batch, int from, int to) throws IOException {
    for (int i = from; i < to; i++) {
      Document d = batch.docs[i];
      if (d == null) {
        continue;
      }
      batch.docs[i] = null;
      try {
        index.put(batch.ids[i], d);
      } catch (IllegalArgumentException ex) {
        batch.poison[i] = "cannot index: " + ex.getMessage();
      }
    }
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /** Whether the value has a CR or LF byte; eight bytes at a time (it runs over every record). */
  static boolean hasLineBreak(byte[] value) {
    int i = 0;
    for (; i + 8 <= value.length; i += 8) {
      long w = (long) LONGS.get(value, i);
      if (hasZeroByte(w ^ (ONES * '\n')) || hasZeroByte(w ^ (ONES * '\r'))) {
        return true;
      }
    }
    for (; i < value.length; i++) {
      if (value[i] == '\n' || value[i] == '\r') {
        return true;
      }
    }
    return false;
  }

  /** Whether any byte of {@code w} is zero (a borrow can only mark bytes above a zero one). */
  private static boolean hasZeroByte(long w) {
    return ((w - ONES) & ~w & HIGHS) != 0;
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason) {
    LOG.warn("dead-lettering {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), reason);
    if (dlq == null) {
      Properties props = new Properties();
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      dlq = new KafkaProducer<>(config.kafkaSettings().clientProperties(props));
    }
    ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(config.dlqTopic(), null, r.key(), r.value());
    for (Header h : r.headers()) {
      out.headers().add(h);
    }
    out.headers().add(ERROR_HEADER, reason.getBytes(StandardCharsets.UTF_8));
    out.headers().add(SOURCE_HEADER,
        (r.topic() + "/" + r.partition() + "/" + r.offset()).getBytes(StandardCharsets.UTF_8));
    dlq.send(out, (md, ex) -> {
      if (ex != null) {
        LOG.error("could not dead-letter {}-{}@{} to {}: {}", r.topic(), r.partition(), r.offset(),
            config.dlqTopic(), ex.toString());
      }
    });
    metrics.deadLettered.increment();
  }

  /**
   * Starts a Lucene commit of everything added so far, recording the offsets it covers, on the
   * committer thread. Documents indexed while it runs may or may not be in it: either way their
   * offsets are not, so after a crash they are read again and replace themselves.
   */
  private void startCommit() {
    Map<String, String> data = new HashMap<>();
    positions.forEach((tp, off) -> data.put(OFFSET_KEY + tp.topic() + ":" + tp.partition(), Long.toString(off)));
    data.put(SEQ_KEY, Long.toString(indexedSeq));
    data.put(IndexSchema.VERSION_KEY, IndexSchema.VERSION);
    Map<TopicPartition, Long> covered = Map.copyOf(positions);
    KafkaProducer<byte[], byte[]> dlqNow = dlq;
    dirty = false;
    lastCommitNanos = System.nanoTime();
    inFlight = committer.submit(() -> {
      if (dlqNow != null) {
        // A dead-lettered record must be in the DLQ before the offset that skips it is durable.
        dlqNow.flush();
      }
      index.commit(data);
      return covered;
    });
  }

  /** After a Lucene commit finished: the same offsets go to the consumer group (consumer thread only). */
  private void commitOffsetsOfFinishedCommit() throws IOException {
    if (inFlight != null && inFlight.isDone()) {
      finishCommit();
    }
  }

  /** Waits for any commit in flight, then commits whatever is left, synchronously. */
  private void commitNow() throws IOException {
    finishCommit();
    if (dirty) {
      startCommit();
      finishCommit();
    }
  }

  /** Waits for the commit in flight, if any, and hands the offsets it covers to Kafka. */
  private void finishCommit() throws IOException {
    Future<Map<TopicPartition, Long>> f = inFlight;
    if (f == null) {
      return;
    }
    inFlight = null;
    commitToKafka(await(f, "committing the index"));
  }

  private void commitToKafka(Map<TopicPartition, Long> covered) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : consumer.assignment()) {
      Long off = covered.get(tp);
      if (off != null) {
        offsets.put(tp, new OffsetAndMetadata(off));
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    try {
      try {
        consumer.commitSync(offsets, Duration.ofSeconds(10));
      } catch (WakeupException e) {
        // stopping: commit anyway, the loop ends right after
        consumer.commitSync(offsets, Duration.ofSeconds(10));
      }
    } catch (RuntimeException e) {
      // The index is the source of truth for positions; group offsets only trail it.
      LOG.warn("committing offsets to Kafka failed (the index has them): {}", e.toString());
    }
  }

  /** Per partition, the next offset the index reads: everything before it is indexed (or dead-lettered). */
  Map<TopicPartition, Long> positions() {
    return Map.copyOf(positions);
  }

  /** The partitions this recorder holds now. */
  Set<TopicPartition> assigned() {
    return Set.copyOf(assigned);
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      assigned.removeAll(partitions);
      if (failure != null) {
        return; // closing after a failure: the index keeps its last commit
      }
      if (!pending.isEmpty() || added != null || dirty || inFlight != null) {
        try {
          indexPending();
          commitNow();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException("committing before a rebalance failed", e);
        }
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      assigned.addAll(partitions);
      List<TopicPartition> fresh = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        Long off = positions.get(tp);
        if (off == null) {
          fresh.add(tp);
        } else {
          consumer.seek(tp, off);
        }
      }
      if (!fresh.isEmpty()) {
        // Not in the index yet: read the partition from its start so the index is the whole log.
        consumer.seekToBeginning(fresh);
      }
      LOG.info("recorder assigned {} (from the index: {}, from the beginning: {})", partitions,
          partitions.size() - fresh.size(), fresh.size());
    }
  }
}
