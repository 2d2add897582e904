package dev.tapline.proxy;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The bounded tee of one body: keeps a copy of the first {@code max} bytes and counts the rest.
 * Only the captured prefix is ever copied; the wire buffers themselves go on untouched.
 */
final class CaptureBuffer {
  private static final byte[] NONE = new byte[0];

  private final int max;
  private byte[] bytes = NONE;
  private int length;
  private long total;

  // A declared length is only a claim: presizing trusts it up to this much, so a client that
  // announces a large body and never sends it does not hold more than this per request.
  private static final int PRESIZE_LIMIT = 32 * 1024;

  /**
   * @param expected the body's declared length ({@code Content-Length}), or -1: a body of up to
   *     {@value #PRESIZE_LIMIT} bytes is copied into an array of its exact size, with no growth and
   *     no final trim
   */
  CaptureBuffer(int max, long expected) {
    this.max = max;
    if (expected > 0) {
      bytes = new byte[(int) Math.min(Math.min(max, expected), PRESIZE_LIMIT)];
    }
  }

  void add(ByteBuf buf) {
    int n = buf.readableBytes();
    total += n;
    int room = max - length;
    if (room <= 0 || n == 0) {
      return;
    }
    int take = Math.min(room, n);
    if (length + take > bytes.length) {
      int cap = Math.max(Math.max(256, bytes.length * 2), length + take);
      bytes = Arrays.copyOf(bytes, Math.min(max, cap));
    }
    buf.getBytes(buf.readerIndex(), bytes, length, take);
    length += take;
  }

  byte[] bytes() {
    return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
  }

  long total() {
    return total;
  }

  boolean truncated() {
    return total > length;
  }

  int max() {
    return max;
  }
}
