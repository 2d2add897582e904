package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.Body;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class BodyDecoderTest {

  static CaptureBuffer captured(byte[] bytes, int max) {
    CaptureBuffer b = new CaptureBuffer(max, -1);
    // arrive in a few pieces, as chunks would
    for (int off = 0; off < bytes.length; off += 1000) {
      b.add(Unpooled.wrappedBuffer(bytes, off, Math.min(1000, bytes.length - off)));
    }
    return b;
  }

  @Test
  void keepsTheFirstBytesAndCountsTheRest() {
    byte[] data = new byte[10_000];
    CaptureBuffer b = captured(data, 4096);
    assertThat(b.bytes()).hasSize(4096);
    assertThat(b.total()).isEqualTo(10_000);
    assertThat(b.truncated()).isTrue();
    Body body = BodyDecoder.body("application/octet-stream", null, b);
    assertThat(body.truncated()).isTrue();
    assertThat(body.originalSize()).isEqualTo(10_000);
  }

  @Test
  void aDeclaredLengthIsOnlyAHint() {
    byte[] data = new byte[5000];
    java.util.Arrays.fill(data, (byte) 'a');
    // Declared longer than sent, shorter than sent, beyond the bound, and far beyond the presize cap.
    for (long declared : new long[] {9000, 100, 5000, 10_000_000}) {
      CaptureBuffer b = new CaptureBuffer(4096, declared);
      b.add(Unpooled.wrappedBuffer(data, 0, 3000));
      b.add(Unpooled.wrappedBuffer(data, 3000, 2000));
      assertThat(b.bytes()).as("declared %d", declared).hasSize(4096).containsOnly((byte) 'a');
      assertThat(b.total()).isEqualTo(5000);
      assertThat(b.truncated()).isTrue();
    }
    CaptureBuffer exact = new CaptureBuffer(1 << 20, 12);
    exact.add(Unpooled.wrappedBuffer("{\"ok\":true}".getBytes(StandardCharsets.UTF_8)));
    assertThat(exact.bytes()).asString(StandardCharsets.UTF_8).isEqualTo("{\"ok\":true}");
    assertThat(exact.truncated()).isFalse();
    CaptureBuffer none = new CaptureBuffer(1 << 20, 500); // a HEAD-like answer: length declared, no body
    assertThat(none.bytes()).isEmpty();
  }

  @Test
  void inflatesGzipAndDeflateForTheCapture() throws Exception {
    byte[] text = "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(text);
    }
    Body g = BodyDecoder.body("application/json", "gzip", captured(gz.toByteArray(), 1024));
    assertThat(g.textOrNull()).isEqualTo("{\"hello\":\"world\"}");
    assertThat(g.encoding()).isEqualTo("gzip");
    assertThat(g.truncated()).isFalse();

    ByteArrayOutputStream zl = new ByteArrayOutputStream();
    try (DeflaterOutputStream out = new DeflaterOutputStream(zl)) {
      out.write(text);
    }
    assertThat(BodyDecoder.body("application/json", "deflate", captured(zl.toByteArray(), 1024)).textOrNull())
        .isEqualTo("{\"hello\":\"world\"}");

    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try (DeflaterOutputStream out = new DeflaterOutputStream(raw, new Deflater(Deflater.DEFAULT_COMPRESSION, true))) {
      out.write(text);
    }
    assertThat(BodyDecoder.body("application/json", "deflate", captured(raw.toByteArray(), 1024)).textOrNull())
        .isEqualTo("{\"hello\":\"world\"}");
  }

  @Test
  void stopsInflatingACompressionBombAtTheBound() throws Exception {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    byte[] zeros = new byte[1 << 20];
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      for (int i = 0; i < 200; i++) {
        out.write(zeros); // 200 MiB of zeros compress to ~200 KiB
      }
    }
    int max = 64 * 1024;
    Body b = BodyDecoder.body("application/octet-stream", "gzip", captured(gz.toByteArray(), 1 << 20));
    assertThat(b.bytes()).hasSize(1 << 20);
    assertThat(b.truncated()).isTrue();
    Body small = BodyDecoder.body(null, "gzip", captured(gz.toByteArray(), max));
    assertThat(small.bytes()).hasSize(max);
    assertThat(small.truncated()).isTrue();
  }

  @Test
  void marksCorruptCompressedBodiesTruncatedInsteadOfFailing() {
    Body b = BodyDecoder.body("text/plain", "gzip", captured("not gzip at all".getBytes(StandardCharsets.UTF_8), 1024));
    assertThat(b.truncated()).isTrue();
  }
}
