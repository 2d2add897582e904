package dev.tapline.proxy;

import dev.tapline.core.Body;
import java.io.ByteArrayOutputStream;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;

/**
 * Turns a captured body into a {@link Body}: gzip and deflate are inflated for the capture only,
 * and never beyond {@code max} bytes, so a compression bomb costs at most {@code max} bytes of
 * memory (it is then marked truncated).
 */
final class BodyDecoder {
  private BodyDecoder() {}

  static Body body(@Nullable String contentType, @Nullable String encoding, CaptureBuffer buf) {
    byte[] raw = buf.bytes();
    if (raw.length == 0 && buf.total() == 0) {
      return contentType == null && encoding == null ? Body.empty() : new Body(contentType, encoding, raw, false, 0);
    }
    String enc = encoding == null ? "" : encoding.trim().toLowerCase(Locale.ROOT);
    boolean gzip = enc.equals("gzip") || enc.equals("x-gzip");
    if (!gzip && !enc.equals("deflate")) {
      return new Body(contentType, encoding, raw, buf.truncated(), buf.total());
    }
    Inflated out = inflate(raw, gzip, buf.max());
    boolean truncated = out.truncated || buf.truncated();
    return new Body(contentType, encoding, out.bytes, truncated, Math.max(out.size, out.bytes.length));
  }

  record Inflated(byte[] bytes, long size, boolean truncated) {}

  static Inflated inflate(byte[] raw, boolean gzip, int max) {
    int offset = 0;
    boolean nowrap = false;
    if (gzip) {
      offset = gzipHeaderLength(raw);
      if (offset < 0) {
        return new Inflated(new byte[0], 0, true);
      }
      nowrap = true;
    } else if (raw.length >= 2 && ((raw[0] & 0x0F) != 8 || ((raw[0] & 0xFF) << 8 | (raw[1] & 0xFF)) % 31 != 0)) {
      nowrap = true; // "deflate" sent as a raw stream without the zlib wrapper, as some servers do
    }
    Inflater inf = new Inflater(nowrap);
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, Math.max(64, raw.length * 4)));
    byte[] chunk = new byte[8192];
    boolean truncated = false;
    try {
      inf.setInput(raw, offset, raw.length - offset);
      while (!inf.finished()) {
        int n = inf.inflate(chunk);
        if (n == 0) {
          if (inf.needsInput() || inf.needsDictionary()) {
            truncated = true; // the capture ended before the stream did
            break;
          }
          continue;
        }
        int room = max - out.size();
        if (n > room) {
          out.write(chunk, 0, room);
          truncated = true; // stop here: a bomb never gets more than max bytes of memory
          break;
        }
        out.write(chunk, 0, n);
      }
    } catch (DataFormatException e) {
      truncated = true;
    } finally {
      inf.end();
    }
    byte[] bytes = out.toByteArray();
    return new Inflated(bytes, bytes.length, truncated);
  }

  /** Length of the gzip member header (RFC 1952), or -1 when it is not one. */
  static int gzipHeaderLength(byte[] b) {
    if (b.length < 10 || (b[0] & 0xFF) != 0x1f || (b[1] & 0xFF) != 0x8b || b[2] != 8) {
      return -1;
    }
    int flags = b[3] & 0xFF;
    int i = 10;
    if ((flags & 4) != 0) { // FEXTRA
      if (i + 2 > b.length) {
        return -1;
      }
      i += 2 + ((b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8);
    }
    if ((flags & 8) != 0) { // FNAME
      while (i < b.length && b[i] != 0) {
        i++;
      }
      i++;
    }
    if ((flags & 16) != 0) { // FCOMMENT
      while (i < b.length && b[i] != 0) {
        i++;
      }
      i++;
    }
    if ((flags & 2) != 0) { // FHCRC
      i += 2;
    }
    return i > b.length ? -1 : i;
  }
}
