package dev.tapline.replay;

import java.time.Duration;

/** Told after every replayed exchange, from the replay's worker threads; must be thread-safe and quick. */
@FunctionalInterface
public interface ReplayListener {
  void progress(Progress p);

  static ReplayListener none() {
    return p -> {};
  }

  /**
   * @param read exchanges read from the source so far
   * @param replayed exchanges replayed (compared or failed)
   * @param skipped exchanges not replayed (method not allowed, truncated request body)
   * @param failed exchanges where a side did not answer
   * @param withDifferences compared exchanges with at least one difference (noise not yet removed)
   */
  record Progress(long read, long replayed, long skipped, long failed, long withDifferences, Duration elapsed) {
    public double perSecond() {
      long ms = Math.max(1, elapsed.toMillis());
      return replayed * 1000.0 / ms;
    }
  }
}
