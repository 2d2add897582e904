package dev.tapline.replay;

import java.util.concurrent.TimeUnit;

/** Spaces requests evenly at a fixed rate; callers block (virtual threads) until their slot. */
final class RateLimiter {
  private static final RateLimiter UNLIMITED = new RateLimiter(0);

  private final long intervalNanos;
  private long next;

  private RateLimiter(long intervalNanos) {
    this.intervalNanos = intervalNanos;
    this.next = System.nanoTime();
  }

  static RateLimiter of(double perSecond) {
    return perSecond <= 0 ? UNLIMITED : new RateLimiter(Math.max(1, (long) (1e9 / perSecond)));
  }

  void acquire() throws InterruptedException {
    if (intervalNanos == 0) {
      return;
    }
    long slot;
    synchronized (this) {
      long now = System.nanoTime();
      slot = Math.max(next, now);
      next = slot + intervalNanos;
    }
    long wait = slot - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }
}
