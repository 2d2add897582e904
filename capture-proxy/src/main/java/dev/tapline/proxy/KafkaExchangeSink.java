package dev.tapline.proxy;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka sink. While the broker acknowledges, each capture goes straight to the producer: no
 * disk I/O. When a send cannot even be queued (no metadata within {@code max.block.ms}, full buffer),
 * the broker is taken as unreachable for a second, so captures in that second do not each wait
 * {@code max.block.ms}; when sends go unacknowledged for {@link #STALL} the broker counts as stalled.
 * Without a spool those captures are dropped. With one ({@link Spool}), they are appended to it
 * instead, and so is every capture after them until the spool is empty again, so that spooled
 * captures go out in the order they were made: a drain thread sends the spool's captures, oldest
 * first, one at a time until the broker acknowledges again and then a window of them, and deletes
 * each segment once all of it was delivered. A send that fails after it was queued (the broker went
 * away with it) is spooled too, behind what was spooled meanwhile.
 */
final class KafkaExchangeSink implements ExchangeSink {
  private static final Logger log = LoggerFactory.getLogger(KafkaExchangeSink.class);
  private static final byte[] SCHEMA = String.valueOf(Exchange.SCHEMA_VERSION).getBytes(StandardCharsets.UTF_8);
  private static final byte[] JSON = ExchangeCodec.ENCODING.getBytes(StandardCharsets.UTF_8);
  private static final long BACKOFF_NANOS = Duration.ofSeconds(1).toNanos();
  private static final Duration WARM_UP = Duration.ofSeconds(5);
  /** How long captures wait in memory for the first metadata before a spool takes them. */
  private static final Duration SPOOL_AFTER = Duration.ofSeconds(1);
  /** Sends unacknowledged this long (with none acknowledged meanwhile) mean a stalled broker. */
  static final Duration STALL = Duration.ofSeconds(2);
  private static final long STALL_NANOS = STALL.toNanos();
  /** How many spooled captures, and how many bytes of them, may be on their way at once while draining. */
  private static final int DRAIN_WINDOW = 1024;
  private static final long DRAIN_BYTES = 16L * 1024 * 1024;
  private static final long SPOOL_WARNING_NANOS = Duration.ofMinutes(1).toNanos();

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final String bootstrap;
  private final CompletableFuture<Void> warmUp;
  private final @Nullable Spool spool;
  private final @Nullable ProxyMetrics metrics;
  private final @Nullable Thread drainer;
  private final long created = System.nanoTime();
  // Only the publisher thread reads and writes this.
  private long unreachableUntil = System.nanoTime();
  /** Direct sends queued in the producer and not yet completed. */
  private final AtomicInteger outstanding = new AtomicInteger();
  /** When a send last completed, or when the first of the outstanding ones was queued. */
  private volatile long lastProgress = System.nanoTime();
  private volatile long lastAck;
  private volatile long lastRejected;
  /** Whether the last rejection was a full producer buffer (the broker answers, too slowly) rather than no metadata. */
  private volatile boolean lastRejectedFull;
  /** Whether the producer ever had the topic's metadata (warm-up or an acknowledged send). */
  private volatile boolean metadataKnown;
  private volatile int warmUpFailures;
  private volatile boolean closing;
  // Drain state: the window shrinks to one capture after a failure and opens on the next ack.
  private final AtomicInteger drainInFlight = new AtomicInteger();
  private final AtomicLong drainBytes = new AtomicLong();
  private volatile int drainWindow = 1;
  private volatile long drainPausedUntil = System.nanoTime();
  private volatile boolean drainerParked;
  private final AtomicLong nextSpoolWarning = new AtomicLong(System.nanoTime());
  private volatile long spoolingSince;
  private volatile long drainedSinceSpooling;

  /**
   * @param spool where captures go while the broker does not take them, or null to drop them
   * @param metrics counts Kafka send errors and the spool's deliveries and drops (null: not counted)
   */
  KafkaExchangeSink(String bootstrap, String topic, Map<String, Object> overrides, @Nullable Spool spool,
      @Nullable ProxyMetrics metrics) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.spool = spool;
    this.metrics = metrics;
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    // Fewer, larger produce requests: at 10k captures/s a 1 MiB batch over 20 ms costs the broker a
    // third of the CPU per capture that 256 KiB over 5 ms did (docs/BENCHMARKS.md).
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 100);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "tapline-proxy");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.putAll(overrides);
    this.producer = new KafkaProducer<>(p);
    this.lastAck = created;
    this.warmUp = CompletableFuture.runAsync(this::fetchMetadata);
    if (spool != null) {
      if (spool.records() > 0) {
        log.info("spool {} holds {} capture(s) from before: sending them first", spool.dir(), spool.records());
        spoolingSince = created;
      }
      Thread t = new Thread(this::drain, "tapline-spool-drain");
      t.setDaemon(true);
      this.drainer = t;
      t.start();
    } else {
      this.drainer = null;
    }
  }

  /**
   * Fetches the topic's metadata (creating the topic where the broker auto-creates), retrying for up
   * to {@link #WARM_UP}: the first sends would otherwise hit max.block.ms before a fresh topic exists.
   */
  private void fetchMetadata() {
    long deadline = System.nanoTime() + WARM_UP.toNanos();
    while (System.nanoTime() < deadline && !closing) {
      try {
        if (!producer.partitionsFor(topic).isEmpty()) {
          metadataKnown = true;
          return;
        }
      } catch (KafkaException e) {
        // not there yet: the broker may be starting or unreachable, or the topic being created
        warmUpFailures++;
        LockSupport.parkNanos(50_000_000L);
      }
    }
  }

  @Override
  public void offer(Exchange exchange, Consumer<Delivery> done) {
    Spool s = spool;
    boolean warming = !warmUp.isDone() && !warmedUp(s);
    byte[] key = exchange.partitionKey().getBytes(StandardCharsets.UTF_8);
    byte[] value = ExchangeCodec.encode(exchange);
    long now = System.nanoTime();
    if (s != null && (warming || s.records() > 0 || stalled(now))) {
      toSpool(s, key, value, done); // behind what is spooled already, or the broker is not answering
      return;
    }
    if (now - unreachableUntil < 0) {
      notSent(key, value, done);
    } else if (!send(new DirectSend(key, value, done))) {
      unreachableUntil = System.nanoTime() + BACKOFF_NANOS;
      notSent(key, value, done);
    }
  }

  /**
   * Waits for the warm-up: only the publisher thread, at start, while captures queue. With a spool
   * it waits at most {@link #SPOOL_AFTER} from the sink's start (a fresh topic is created well
   * within it); then captures go to the spool until the broker answers.
   *
   * @return whether the warm-up is over
   */
  private boolean warmedUp(@Nullable Spool s) {
    if (s == null) {
      warmUp.join();
      return true;
    }
    long left = SPOOL_AFTER.toNanos() - (System.nanoTime() - created);
    if (left <= 0) {
      return false; // not an exception per capture while the broker stays away
    }
    try {
      warmUp.get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true; // fetchMetadata does not throw
    }
  }

  /** Whether direct sends have gone unacknowledged for {@link #STALL}. */
  private boolean stalled(long now) {
    return outstanding.get() > 0 && now - lastProgress > STALL_NANOS;
  }

  private void notSent(byte[] key, byte[] value, Consumer<Delivery> done) {
    Spool s = spool;
    if (s != null) {
      toSpool(s, key, value, done);
    } else {
      done.accept(new Delivery.Dropped(DropReason.UNREACHABLE, null));
    }
  }

  private void toSpool(Spool s, byte[] key, byte[] value, Consumer<Delivery> done) {
    boolean kept;
    try {
      kept = s.append(key, value);
    } catch (UncheckedIOException e) {
      log.warn("{}: dropping the capture", e.getMessage());
      done.accept(new Delivery.Dropped(DropReason.FAILED, e));
      return;
    }
    if (!kept) {
      done.accept(new Delivery.Dropped(DropReason.SPOOL_FULL, null));
      return;
    }
    done.accept(Delivery.SPOOLED);
    long now = System.nanoTime();
    if (spoolingSince == 0) {
      spoolingSince = now;
    }
    long next = nextSpoolWarning.get();
    if (now - next >= 0) {
      // Only while the broker is in trouble: behind a spool that is being sent, captures wait their turn.
      Optional<String> trouble = trouble();
      if (trouble.isPresent() && nextSpoolWarning.compareAndSet(next, now + SPOOL_WARNING_NANOS)) {
        log.warn("Kafka at {} is not taking captures ({}): spooling them to {}, {} capture(s) and {} of {} bytes there"
            + " now; they are sent when it is back", bootstrap, trouble.get(), s.dir(), s.records(), s.bytes(), s.maxBytes());
      }
    }
    if (drainerParked) {
      LockSupport.unpark(drainer);
    }
  }

  /**
   * Queues a send in the producer. False when it was not even queued: no metadata within {@code
   * max.block.ms} or a full buffer are reported through the callback, on the sending thread, before
   * {@code send()} returns, and mean the broker is unreachable (or far behind) for now.
   */
  private boolean send(Send s) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, s.key, s.value);
    record.headers().add(ExchangeCodec.SCHEMA_HEADER, SCHEMA);
    record.headers().add(ExchangeCodec.ENCODING_HEADER, JSON);
    s.started();
    try {
      producer.send(record, s);
    } catch (KafkaException e) {
      s.rejected = true;
    } catch (RuntimeException e) {
      s.sending = false;
      s.unqueued();
      throw e;
    }
    s.sending = false;
    if (s.rejected) {
      s.unqueued();
      lastRejectedFull = s.full;
      lastRejected = System.nanoTime();
      return false;
    }
    return true;
  }

  /** One send and its callback (one object per capture, as the callback lambda was). */
  private abstract class Send implements Callback {
    final byte[] key;
    final byte[] value;
    private final Thread sender = Thread.currentThread();
    volatile boolean sending = true;
    boolean rejected;
    boolean full;

    Send(byte[] key, byte[] value) {
      this.key = key;
      this.value = value;
    }

    /** Before the send is queued. */
    abstract void started();

    /** The send was not queued after all. */
    abstract void unqueued();

    abstract void completed(@Nullable Exception e);

    @Override
    public final void onCompletion(RecordMetadata metadata, @Nullable Exception e) {
      if (sending && Thread.currentThread() == sender && e instanceof TimeoutException) {
        rejected = true; // not queued: see send()
        full = e instanceof BufferExhaustedException;
        return;
      }
      long now = System.nanoTime();
      lastProgress = now;
      if (e == null) {
        lastAck = now;
        metadataKnown = true;
      } else if (metrics != null) {
        metrics.sendError();
      }
      completed(e);
    }
  }

  /** Whether a send that failed after it was queued may succeed later: worth spooling or retrying. */
  private boolean worthRetrying(Exception e) {
    return e instanceof RetriableException || closing;
  }

  private final class DirectSend extends Send {
    private final Consumer<Delivery> done;

    DirectSend(byte[] key, byte[] value, Consumer<Delivery> done) {
      super(key, value);
      this.done = done;
    }

    @Override
    void started() {
      if (outstanding.getAndIncrement() == 0) {
        lastProgress = System.nanoTime(); // the stall clock starts with the first unacknowledged send
      }
    }

    @Override
    void unqueued() {
      outstanding.decrementAndGet();
    }

    @Override
    void completed(@Nullable Exception e) {
      outstanding.decrementAndGet();
      if (e == null) {
        done.accept(Delivery.DELIVERED);
      } else if (spool != null && worthRetrying(e)) {
        toSpool(spool, key, value, done);
      } else {
        log.debug("capture not delivered to {}: {}", topic, e.toString());
        done.accept(new Delivery.Dropped(DropReason.FAILED, e));
      }
    }
  }

  private final class SpoolSend extends Send {
    private final Spool.Frame frame;

    SpoolSend(Spool.Frame frame) {
      super(frame.key, frame.value);
      this.frame = frame;
    }

    @Override
    void started() {
      drainInFlight.incrementAndGet();
      drainBytes.addAndGet(frame.size());
    }

    @Override
    void unqueued() {
      drainInFlight.decrementAndGet();
      drainBytes.addAndGet(-frame.size());
    }

    @Override
    void completed(@Nullable Exception e) {
      Spool s = java.util.Objects.requireNonNull(spool);
      if (e == null) {
        drainedSinceSpooling++;
        if (metrics != null) {
          metrics.deliveredFromSpool(); // before the spool's count drops, so the sum never comes up short
        }
        s.settle(frame);
        drainWindow = DRAIN_WINDOW;
      } else if (worthRetrying(e)) {
        s.retry(frame);
        drainWindow = 1;
        drainPausedUntil = System.nanoTime() + BACKOFF_NANOS;
      } else {
        log.warn("Kafka refused a spooled capture for good, dropping it: {}", e.toString());
        if (metrics != null) {
          metrics.droppedFromSpool(DropReason.FAILED, 1);
        }
        s.settle(frame);
      }
      unqueued();
      LockSupport.unpark(drainer);
    }
  }

  /** The drain thread: sends the spool's captures, oldest first, whenever the broker may take them. */
  private void drain() {
    Spool s = java.util.Objects.requireNonNull(spool);
    while (!closing) {
      long now = System.nanoTime();
      if (s.records() == 0) {
        reportDrained(now);
        park(s, 1_000_000_000L);
        continue;
      }
      if (now - drainPausedUntil < 0 || drainInFlight.get() >= drainWindow || drainBytes.get() >= DRAIN_BYTES
          || !warmUp.isDone()) {
        park(s, 50_000_000L);
        continue;
      }
      Spool.Frame f;
      try {
        f = s.next();
      } catch (UncheckedIOException e) {
        log.warn("{}: trying again in a second", e.getMessage());
        drainPausedUntil = now + BACKOFF_NANOS;
        continue;
      }
      if (f == null) {
        park(s, 50_000_000L); // what is left is on its way
        continue;
      }
      boolean queued;
      try {
        queued = send(new SpoolSend(f));
      } catch (RuntimeException e) {
        log.warn("sending a spooled capture failed: {}", e.toString());
        queued = false;
      }
      if (!queued) {
        s.retry(f);
        drainWindow = 1;
        drainPausedUntil = System.nanoTime() + BACKOFF_NANOS;
      }
    }
  }

  private void park(Spool s, long nanos) {
    drainerParked = true;
    if (!closing && (s.records() == 0 || nanos < 1_000_000_000L)) {
      LockSupport.parkNanos(this, nanos);
    }
    drainerParked = false;
  }

  private void reportDrained(long now) {
    long since = spoolingSince;
    if (since != 0) {
      spoolingSince = 0;
      log.info("spool drained: {} spooled capture(s) delivered to Kafka at {}, {} s after spooling began",
          drainedSinceSpooling, bootstrap, (now - since) / 1_000_000_000L);
      drainedSinceSpooling = 0;
      nextSpoolWarning.set(now); // warn at once when it starts again
    }
  }

  @Override
  public Optional<String> trouble() {
    long now = System.nanoTime();
    long quiet = (now - Math.max(lastAck, created)) / 1_000_000_000L;
    boolean rejectedLately = lastRejected != 0 && now - lastRejected < 2 * BACKOFF_NANOS + STALL_NANOS;
    boolean drainStalled = drainInFlight.get() > 0 && now - lastProgress > STALL_NANOS;
    boolean neverAnswered = !metadataKnown && warmUpFailures > 0;
    boolean noMetadata = rejectedLately && !lastRejectedFull;
    if (stalled(now) || drainStalled || neverAnswered || noMetadata || (rejectedLately && now - lastAck > STALL_NANOS)) {
      return Optional.of("broker unreachable: no answer from Kafka"
          + (quiet > 0 ? " (nothing acknowledged for " + quiet + " s)" : ""));
    }
    if (rejectedLately) {
      return Optional.of("broker slow: Kafka does not take captures as fast as they come");
    }
    return Optional.empty();
  }

  @Override
  public CompletableFuture<Void> close() {
    closing = true;
    Thread d = drainer;
    if (d != null) {
      LockSupport.unpark(d);
    }
    return warmUp.handle((v, e) -> null).thenRunAsync(() -> {
      if (d != null) {
        try {
          d.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      // Sends still unacknowledged fail here and go to the spool, which closes after them.
      producer.close(Duration.ofSeconds(5));
      if (spool != null) {
        spool.close();
      }
    });
  }

  @Override
  public String describe() {
    return "kafka " + bootstrap + " topic " + topic + (spool == null ? "" : ", spool " + spool.dir());
  }
}
