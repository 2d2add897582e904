package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk spool on its own: order, bounds, restarts, damage, modes. */
class SpoolTest {
  @TempDir Path tmp;
  final AtomicLong lost = new AtomicLong();

  Spool open(Path dir, long max) {
    return Spool.open(dir, max, lost::addAndGet);
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Takes every frame there is, settling each one. */
  static List<String> drainAll(Spool spool) {
    List<String> out = new ArrayList<>();
    Spool.Frame f;
    while ((f = spool.next()) != null) {
      out.add(s(f.key) + "=" + s(f.value));
      spool.settle(f);
    }
    return out;
  }

  static List<String> segments(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(Spool.SUFFIX)).sorted().toList();
    }
  }

  @Test
  void givesCapturesBackInTheOrderTheyCameAndDeletesSegmentsOnceDelivered() throws Exception {
    Path dir = tmp.resolve("spool");
    try (Spool spool = open(dir, 1 << 20)) {
      for (int i = 0; i < 5_000; i++) { // several segments of 256 KiB
        assertThat(spool.append(b("k" + i % 3), b("value " + i + " " + "x".repeat(100)))).isTrue();
      }
      assertThat(spool.records()).isEqualTo(5_000);
      assertThat(segments(dir)).hasSizeGreaterThan(1);
      List<String> out = drainAll(spool);
      assertThat(out).hasSize(5_000);
      for (int i = 0; i < 5_000; i++) {
        assertThat(out.get(i)).isEqualTo("k" + i % 3 + "=value " + i + " " + "x".repeat(100));
      }
      assertThat(spool.records()).isZero();
      assertThat(spool.bytes()).isZero();
      assertThat(segments(dir)).isEmpty();
      // and it takes more afterwards, in a new segment
      assertThat(spool.append(b("k"), b("again"))).isTrue();
      assertThat(drainAll(spool)).containsExactly("k=again");
    }
  }

  @Test
  void keepsItsFilesPrivate() throws Exception {
    Path dir = tmp.resolve("a/b/spool");
    try (Spool spool = open(dir, 1 << 20)) {
      spool.append(b("k"), b("secret-ish traffic"));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
      for (String name : segments(dir)) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name)))).isEqualTo("rw-------");
      }
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(".lock")))).isEqualTo("rw-------");
    }
    // an existing directory with a looser mode is tightened
    Path loose = Files.createDirectories(tmp.resolve("loose"));
    Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Spool spool = open(loose, 1 << 20)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(loose))).isEqualTo("rwx------");
    }
  }

  @Test
  void refusesWhatWouldGoBeyondItsBoundAndTakesMoreOnceSpaceIsFreed() {
    try (Spool spool = open(tmp.resolve("s"), 1 << 20)) {
      byte[] value = new byte[100 * 1024];
      int kept = 0;
      while (spool.append(b("k"), value)) {
        kept++;
      }
      assertThat(kept).isEqualTo(10); // 10 frames of 100 KiB and a header each fit in 1 MiB, 11 do not
      assertThat(spool.bytes()).isLessThanOrEqualTo(1 << 20);
      drainAll(spool);
      assertThat(spool.append(b("k"), value)).isTrue();
    }
  }

  @Test
  void aReopenedSpoolHoldsWhatWasNotDeliveredAndWritesAfterIt() throws Exception {
    Path dir = tmp.resolve("s");
    try (Spool spool = open(dir, 1 << 20)) {
      for (int i = 0; i < 10; i++) {
        spool.append(b("k"), b("v" + i));
      }
      for (int i = 0; i < 4; i++) {
        spool.settle(spool.next()); // delivered
      }
      Spool.Frame unsettled = spool.next(); // on its way when the proxy stops
      assertThat(s(unsettled.value)).isEqualTo("v4");
    }
    try (Spool spool = open(dir, 1 << 20)) {
      assertThat(spool.recovered()).isEqualTo(6); // the sent mark skips the four delivered ones
      spool.append(b("k"), b("new"));
      assertThat(drainAll(spool)).containsExactly("k=v4", "k=v5", "k=v6", "k=v7", "k=v8", "k=v9", "k=new");
      assertThat(segments(dir)).isEmpty();
    }
  }

  @Test
  void sendsARetriedFrameBeforeAnyUnreadOne() {
    try (Spool spool = open(tmp.resolve("s"), 1 << 20)) {
      for (int i = 0; i < 4; i++) {
        spool.append(b("k"), b("v" + i));
      }
      Spool.Frame f0 = spool.next();
      Spool.Frame f1 = spool.next();
      spool.settle(f1); // acknowledged out of order (another partition)
      spool.retry(f0); // the broker went away with it
      assertThat(drainAll(spool)).containsExactly("k=v0", "k=v2", "k=v3");
      assertThat(spool.records()).isZero();
    }
  }

  @Test
  void cutsATornCaptureAtTheEndOfASegmentFromADeadProcess() throws Exception {
    Path dir = tmp.resolve("s");
    try (Spool spool = open(dir, 1 << 20)) {
      spool.append(b("k"), b("whole"));
    }
    Path seg = dir.resolve(segments(dir).get(0));
    // the process died in the middle of writing a second frame
    Files.write(seg, new byte[] {0, 0, 0, 50, 1, 2, 3, 4, 0, 1, 'k'}, StandardOpenOption.APPEND);
    try (Spool spool = open(dir, 1 << 20)) {
      assertThat(spool.recovered()).isEqualTo(1);
      assertThat(drainAll(spool)).containsExactly("k=whole");
    }
  }

  @Test
  void dropsAndCountsTheRestOfASegmentWhoseChecksumFails() throws Exception {
    Path dir = tmp.resolve("s");
    try (Spool spool = open(dir, 1 << 20)) {
      spool.append(b("k"), b("first"));
      spool.append(b("k"), b("second"));
      spool.append(b("k"), b("third"));
    }
    Path seg = dir.resolve(segments(dir).get(0));
    byte[] bytes = Files.readAllBytes(seg);
    int second = 8 + 2 + 1 + "first".length();
    bytes[second + 8 + 3] ^= 0x20; // flip a bit in the second capture's value
    Files.write(seg, bytes);
    try (Spool spool = open(dir, 1 << 20)) {
      assertThat(drainAll(spool)).containsExactly("k=first");
      assertThat(lost.get()).isEqualTo(2);
      assertThat(spool.records()).isZero();
    }
  }

  @Test
  void belongsToOneProxyAtATime() {
    Path dir = tmp.resolve("s");
    try (Spool spool = open(dir, 1 << 20)) {
      assertThatThrownBy(() -> open(dir, 1 << 20)).isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("in use by another proxy");
    }
    open(dir, 1 << 20).close(); // free again
  }
}
