package dev.tapline.recorder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Indexing is background work: on a machine that also serves traffic (a laptop running {@code
 * tapline up}, a proxy next to the recorder) the traffic comes first and the index catches up.
 * Two mechanisms, both Linux-only and best effort:
 *
 * <ul>
 *   <li>The recorder's indexing threads (consume, analyze, flush, refresh, commit, merge) run at
 *       {@code nice} {@value #NICE}, applied per thread with {@code renice}, since the JDK has no
 *       portable way to do it. That puts them behind the other threads of the same process (the
 *       proxy and the broker inside {@code tapline up}).
 *   <li>Against other processes a thread's nice value is not enough: with autogroups (on by
 *       default in most desktop distributions) or cgroups the kernel shares the CPU between
 *       sessions first, whatever the nice values inside them. So the ingest loop also paces
 *       itself ({@link Pacer}): while other processes keep the CPUs busy, it pauses after each
 *       batch.
 * </ul>
 *
 * <p>Where {@code /proc} or {@code renice} are missing the threads run at normal priority and
 * never pause. Searches and the HTTP API are not affected: they run on their own threads at
 * normal priority.
 */
final class Background {
  private static final Logger LOG = LoggerFactory.getLogger(Background.class);
  static final int NICE = 10;
  private static final Path THREAD_SELF = Path.of("/proc/thread-self");
  private static volatile boolean unavailable = !Files.isSymbolicLink(THREAD_SELF);

  private Background() {}

  /** Daemon threads named {@code name} that lower their own priority when they start. */
  static ThreadFactory threads(String name) {
    return r -> {
      Thread t = new Thread(() -> {
        lowerPriority();
        r.run();
      }, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Lowers the calling thread's CPU priority (best effort, once per thread). */
  static void lowerPriority() {
    if (unavailable) {
      return;
    }
    try {
      // "<pid>/task/<tid>": on Linux a thread id is what renice -p takes for one thread.
      String tid = Files.readSymbolicLink(THREAD_SELF).getFileName().toString();
      Process p = new ProcessBuilder("renice", "-n", String.valueOf(NICE), "-p", tid)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException | UnsupportedOperationException e) {
      unavailable = true;
      LOG.debug("indexing threads keep their normal priority: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Decides, from {@code /proc/stat} and {@code /proc/self/stat}, whether other processes keep the
   * CPUs busy, and if so how long indexing pauses after a batch: three times as long as the batch
   * took (at most a second), so that indexing takes at most about a quarter of what it would. Busy
   * means: over the last quarter second or more, the CPUs were at least {@value #BUSY}% busy and
   * other processes used at least {@value #OTHERS}% of them. A recorder alone on a machine (catching
   * up a backlog, say) therefore never pauses, however busy it keeps the CPUs itself. Nor does one
   * whose index is {@link #MAX_BEHIND_NANOS} or more behind what it has read: yielding is for
   * slack, and a search must not fall seconds behind the traffic for it. (The live stream does not
   * wait for the index at all, see {@code LiveStream}.)
   */
  static final class Pacer {
    static final int BUSY = 90;
    static final int OTHERS = 50;
    private static final long SAMPLE_NANOS = 250_000_000L;
    private static final long MAX_PAUSE_NANOS = 1_000_000_000L;
    private static final long PAUSE_FACTOR = 3; // indexing takes at most about a quarter of what it would
    /** An index this far behind what was read does not pause. */
    static final long MAX_BEHIND_NANOS = 1_000_000_000L;
    private static final Path STAT = Path.of("/proc/stat");
    private static final Path SELF_STAT = Path.of("/proc/self/stat");

    private boolean available = Files.isReadable(STAT) && Files.isReadable(SELF_STAT);
    private long sampledAt;
    private long @Nullable [] last;
    private boolean busy;

    /** How long to pause after a batch of work that took {@code batchNanos}; 0 for no pause. */
    long pauseNanos(long batchNanos) {
      return pauseNanos(batchNanos, 0);
    }

    /**
     * As {@link #pauseNanos(long)}, when the oldest exchange read but not indexed was read {@code
     * behindNanos} ago (0: none waits).
     */
    long pauseNanos(long batchNanos, long behindNanos) {
      if (!available || behindNanos >= MAX_BEHIND_NANOS) {
        return 0;
      }
      long now = System.nanoTime();
      if (last == null || now - sampledAt >= SAMPLE_NANOS) {
        long[] sample = sample();
        if (sample == null) {
          available = false;
          return 0;
        }
        if (last != null) {
          busy = othersKeepCpusBusy(sample[0] - last[0], sample[1] - last[1], sample[2] - last[2]);
        }
        last = sample;
        sampledAt = now;
      }
      return busy ? Math.min(PAUSE_FACTOR * batchNanos, MAX_PAUSE_NANOS) : 0;
    }

    /**
     * @param total CPU time of all CPUs (clock ticks)
     * @param idle of which idle (idle and iowait)
     * @param self of which this process used
     */
    static boolean othersKeepCpusBusy(long total, long idle, long self) {
      if (total <= 0) {
        return false;
      }
      long busy = total - idle;
      return busy * 100 >= total * BUSY && (busy - self) * 100 >= total * OTHERS;
    }

    /** {total, idle, self} in clock ticks, or null when {@code /proc} cannot be read. */
    private static long @Nullable [] sample() {
      try {
        String cpu = Files.readAllLines(STAT).get(0); // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
        String[] f = cpu.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= Math.min(8, f.length - 1); i++) { // guest time is already in user and nice
          total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
        String self = Files.readString(SELF_STAT);
        String[] g = self.substring(self.lastIndexOf(')') + 2).split(" "); // g[0] is field 3 (state)
        long selfTicks = Long.parseLong(g[11]) + Long.parseLong(g[12]); // utime, stime
        return new long[] {total, idle, selfTicks};
      } catch (IOException | RuntimeException e) {
        LOG.debug("indexing will not pace itself: {}", e.toString());
        return null;
      }
    }
  }
}
