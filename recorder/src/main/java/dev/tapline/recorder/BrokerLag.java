package dev.tapline.recorder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recorder's lag as the broker sees it, asked once a second on a thread of its own: for each
 * partition of the topic, the log end offset minus what is indexed (the index's position for the
 * partitions this recorder holds, else the group's committed offset, else the log start). So it is
 * not 0 while the recorder waits for partitions (after a restart, in a rebalance), which a
 * consumer's own view would say. It also tells {@code /healthz} when the recorder lags: at least
 * {@link #LAG_RECORDS} behind, or records waiting and none indexed, on every look for the
 * configured tolerance; and when the broker cannot be asked at all.
 */
final class BrokerLag implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerLag.class);
  /** Behind by this many records, the recorder lags even while it indexes. */
  static final long LAG_RECORDS = 1_000;
  private static final long PROBE_MILLIS = 1_000;
  private static final long TOPIC_REFRESH_NANOS = 30_000_000_000L;

  private final String topic;
  private final String group;
  private final Duration tolerance;
  private final RecorderMetrics metrics;
  private final Supplier<Map<TopicPartition, Long>> indexed;
  private final Supplier<Set<TopicPartition>> assigned;
  private final Admin admin;
  private final ScheduledExecutorService thread;
  // Written by the probe thread only.
  private List<TopicPartition> partitions = List.of();
  private long partitionsAt;
  private long lastIndexedSum = -1;
  private volatile long behindSince;
  private volatile long lag;
  private volatile @Nullable String unreachable;
  private volatile long unreachableSince;

  /**
   * @param indexed per partition, the next offset the index will read (what it holds is before it)
   * @param assigned the partitions this recorder holds now
   */
  BrokerLag(RecorderConfig config, RecorderMetrics metrics, Supplier<Map<TopicPartition, Long>> indexed,
      Supplier<Set<TopicPartition>> assigned) {
    this.topic = config.topic();
    this.group = config.groupId();
    this.tolerance = config.lagTolerance();
    this.metrics = metrics;
    this.indexed = indexed;
    this.assigned = assigned;
    this.admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka(),
        AdminClientConfig.CLIENT_ID_CONFIG, "tapline-recorder-lag",
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4_000));
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tapline-recorder-lag");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    thread.scheduleWithFixedDelay(this::probe, 0, PROBE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Records not yet indexed, as of the last look (the last known value while the broker cannot be asked). */
  long lag() {
    return lag;
  }

  /** Why the recorder is degraded now: the broker cannot be asked, or indexing lags. */
  List<String> trouble() {
    List<String> reasons = new ArrayList<>();
    String u = unreachable;
    if (u != null) {
      reasons.add("broker unreachable for " + seconds(unreachableSince) + " s: " + u);
    }
    long since = behindSince;
    if (since != 0 && System.nanoTime() - since >= tolerance.toNanos()) {
      reasons.add("indexing lags the broker: " + lag + " record(s) not indexed yet, behind for " + seconds(since) + " s");
    }
    return reasons;
  }

  private static long seconds(long since) {
    return Math.max(0, (System.nanoTime() - since) / 1_000_000_000L);
  }

  private void probe() {
    try {
      look();
      if (unreachable != null) {
        LOG.info("the broker answers again after {} s", seconds(unreachableSince));
      }
      unreachable = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      if (unreachable == null) {
        unreachableSince = System.nanoTime();
        LOG.warn("cannot ask the broker for the lag of {}: {}", topic, cause.toString());
      }
      unreachable = cause.getClass().getSimpleName();
      partitionsAt = 0; // the topic may have changed meanwhile
    }
  }

  private void look() throws Exception {
    long now = System.nanoTime();
    if (partitions.isEmpty() || now - partitionsAt > TOPIC_REFRESH_NANOS) {
      partitions = partitions();
      partitionsAt = now;
    }
    if (partitions.isEmpty()) {
      record(0, 0);
      return;
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, Long> positions = indexed.get();
    Set<TopicPartition> mine = assigned.get();
    Map<TopicPartition, Long> from = new HashMap<>();
    Map<TopicPartition, OffsetSpec> starts = new HashMap<>();
    for (TopicPartition tp : partitions) {
      long base = -1;
      OffsetAndMetadata c = committed.get(tp);
      if (c != null) {
        base = c.offset();
      }
      Long p = positions.get(tp);
      if (p != null && (mine.contains(tp) || c == null)) {
        base = Math.max(base, p);
      }
      if (base < 0) {
        starts.put(tp, OffsetSpec.earliest()); // never read: all that the log holds waits
      } else {
        from.put(tp, base);
      }
    }
    if (!starts.isEmpty()) {
      admin.listOffsets(starts).all().get().forEach((tp, info) -> from.put(tp, info.offset()));
    }
    long total = 0;
    long indexedSum = 0;
    for (TopicPartition tp : partitions) {
      ListOffsetsResultInfo end = ends.get(tp);
      if (end != null) {
        total += Math.max(0, end.offset() - from.getOrDefault(tp, end.offset()));
      }
      indexedSum += positions.getOrDefault(tp, 0L);
    }
    record(total, indexedSum);
  }

  private void record(long total, long indexedSum) {
    boolean progressed = indexedSum != lastIndexedSum;
    lastIndexedSum = indexedSum;
    lag = total;
    metrics.lag.set(total);
    boolean behind = total >= LAG_RECORDS || (total > 0 && !progressed);
    if (!behind) {
      behindSince = 0;
    } else if (behindSince == 0) {
      behindSince = System.nanoTime();
    }
  }

  private List<TopicPartition> partitions() throws Exception {
    try {
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      List<TopicPartition> out = new ArrayList<>();
      d.partitions().forEach(p -> out.add(new TopicPartition(topic, p.partition())));
      return out;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return List.of(); // nothing captured yet
      }
      throw e;
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(2));
  }
}
