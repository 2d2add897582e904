package dev.tapline.core;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Time-ordered unique ids (UUIDv7, RFC 9562): sortable by creation time, unique across proxies. */
public final class Ids {
  // Monotonic within one JVM: the 12-bit rand_a field counts up inside the same millisecond.
  private static final AtomicLong LAST = new AtomicLong();

  private Ids() {}

  public static String newId() {
    long now = System.currentTimeMillis();
    long stamp = LAST.updateAndGet(prev -> {
      long ms = prev >>> 12;
      return now > ms ? now << 12 : prev + 1;
    });
    long ms = stamp >>> 12;
    long seq = stamp & 0xFFF;
    long msb = (ms << 16) | 0x7000L | seq;
    // Ids must be unique, not secret: a per-thread generator keeps /dev/urandom off the hot path.
    long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  /** Epoch microseconds now. */
  public static long nowMicros() {
    java.time.Instant i = java.time.Instant.now();
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
  }
}
