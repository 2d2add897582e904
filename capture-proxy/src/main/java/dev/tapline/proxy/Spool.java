package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures kept on local disk while Kafka cannot take them: append-only segment files in one
 * directory ({@code 0700}, files {@code 0600}), read back oldest first and deleted once every capture
 * in them was delivered. Each capture is one frame: {@code int length, int crc32c, short keyLength,
 * key, value} (the Kafka record's key and value, so a spooled capture is sent as it would have been).
 *
 * <p>A proxy writes to a new segment after each start, so segments left by an earlier run are sent
 * first. A torn frame at the end of a segment (the process died mid-write) is cut off at open; a
 * frame whose checksum fails is dropped with the rest of its segment, counted through {@code lost}.
 * Appends are written at once (the page cache keeps them if the process dies) and forced to the
 * device when a segment is finished and at most once a second, so a power cut may lose the last
 * second of captures, never the frames before it.
 *
 * <p>Thread-safe: the publisher appends, the drain thread reads, the producer's thread acknowledges.
 * Nothing here runs while Kafka takes captures directly.
 */
final class Spool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Spool.class);
  static final String SUFFIX = ".spool";
  /** A segment's sent mark: the byte offset before which every frame has left the spool. */
  static final String SENT_SUFFIX = ".sent";
  private static final int HEADER = 8; // length, crc
  private static final int MAX_FRAME = 256 * 1024 * 1024;
  private static final long FORCE_NANOS = 1_000_000_000L;

  /** One capture read back: its Kafka key and value, and where it sits. */
  static final class Frame {
    final byte[] key;
    final byte[] value;
    private final Segment segment;
    private final long position;

    private Frame(byte[] key, byte[] value, Segment segment, long position) {
      this.key = key;
      this.value = value;
      this.segment = segment;
      this.position = position;
    }

    int size() {
      return HEADER + 2 + key.length + value.length;
    }
  }

  private static final class Segment {
    final long seq;
    final Path path;
    long size;
    /** Where reading starts: every frame before it has left the spool (its sent mark). */
    long start;
    /** Frames from {@link #start} on not yet delivered or given up. */
    long live;
    /** Frames handed out by {@link #next()} and not yet settled. */
    long out;
    /** Read to its end (and no longer written). */
    boolean readThrough;

    Segment(long seq, Path path) {
      this.seq = seq;
      this.path = path;
    }

    Path sentMark() {
      return path.resolveSibling(String.format("%020d%s", seq, SENT_SUFFIX));
    }
  }

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final LongConsumer lost;
  private final FileChannel lockChannel;
  private final FileLock lock;
  // Everything below is guarded by this.
  private final Deque<Segment> segments = new ArrayDeque<>();
  /** Frames handed out and not settled, by {@link #key}: the first one in a segment bounds its sent mark. */
  private final TreeSet<Long> outstanding = new TreeSet<>();
  private final TreeSet<Long> retries = new TreeSet<>();
  private final Map<Long, Frame> retryFrames = new HashMap<>();
  private long lastMark = System.nanoTime();
  private @Nullable FileChannel writer;
  private @Nullable Segment writing;
  private long lastForce = System.nanoTime();
  private boolean dirty;
  private @Nullable Segment reading;
  private @Nullable FileChannel reader;
  private long readPos;
  private long nextSeq;
  private boolean closed;
  private volatile long records;
  private volatile long bytes;
  private final long recovered;

  private Spool(Path dir, long maxBytes, LongConsumer lost, FileChannel lockChannel, FileLock lock) throws IOException {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = Math.max(256 * 1024, Math.min(64L * 1024 * 1024, maxBytes / 16));
    this.lost = lost;
    this.lockChannel = lockChannel;
    this.lock = lock;
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).forEach(files::add);
    }
    long seqs = 0;
    List<Segment> found = new ArrayList<>();
    for (Path p : files) {
      String name = p.getFileName().toString();
      long seq;
      try {
        seq = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
      } catch (NumberFormatException e) {
        continue; // not ours
      }
      found.add(new Segment(seq, p));
      seqs = Math.max(seqs, seq);
    }
    found.sort(java.util.Comparator.comparingLong(s -> s.seq));
    long n = 0;
    long b = 0;
    for (Segment seg : found) {
      scan(seg);
      if (seg.live == 0) {
        Files.deleteIfExists(seg.path);
        Files.deleteIfExists(seg.sentMark());
        continue;
      }
      segments.add(seg);
      n += seg.live;
      b += seg.size;
    }
    try (Stream<Path> s = Files.list(dir)) { // marks whose segment is gone
      for (Path p : (Iterable<Path>) s.filter(p -> p.getFileName().toString().endsWith(SENT_SUFFIX))::iterator) {
        String name = p.getFileName().toString();
        Path segment = p.resolveSibling(name.substring(0, name.length() - SENT_SUFFIX.length()) + SUFFIX);
        if (!Files.exists(segment)) {
          Files.deleteIfExists(p);
        }
      }
    }
    this.nextSeq = seqs + 1;
    this.records = n;
    this.bytes = b;
    this.recovered = n;
  }

  /**
   * Opens (creating) the spool in {@code dir} and takes its lock.
   *
   * @param lost told how many captures were found unreadable (a checksum failed) and dropped
   * @throws UncheckedIOException when it cannot be created, locked (another proxy holds it) or read
   */
  static Spool open(Path dir, long maxBytes, LongConsumer lost) {
    requireNonNull(dir, "dir");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("spool maxBytes must be positive: " + maxBytes);
    }
    FileChannel lockChannel = null;
    try {
      PrivateFiles.directory(dir); // captures are redacted, but still the traffic of a service
      lockChannel = FileChannel.open(dir.resolve(".lock"), options(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
          PrivateFiles.fileAttributes(dir));
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IOException("spool directory " + dir + " is in use by another proxy: give each proxy its own"
            + " spool directory");
      }
      return new Spool(dir, maxBytes, lost, lockChannel, lock);
    } catch (IOException e) {
      closeQuietly(lockChannel);
      String m = e.getMessage() != null && e.getMessage().startsWith("spool directory") ? e.getMessage()
          : "cannot open the spool directory " + dir + ": " + e;
      throw new UncheckedIOException(new IOException(m, e));
    } catch (RuntimeException e) {
      closeQuietly(lockChannel);
      throw e;
    }
  }

  private static Set<StandardOpenOption> options(StandardOpenOption... o) {
    Set<StandardOpenOption> s = EnumSet.noneOf(StandardOpenOption.class);
    s.addAll(List.of(o));
    return s;
  }

  /**
   * Counts the frames of a segment left by an earlier run from its sent mark on, cutting off a torn
   * frame at its end.
   */
  private static void scan(Segment seg) throws IOException {
    long mark = sentMark(seg);
    try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      long pos = 0;
      ByteBuffer head = ByteBuffer.allocate(HEADER);
      long frames = 0;
      boolean markOnFrame = mark == 0;
      while (pos + HEADER <= size) {
        head.clear();
        readFully(ch, head, pos);
        int len = head.getInt(0);
        if (len < 2 || len > MAX_FRAME || pos + HEADER + len > size) {
          break;
        }
        if (pos == mark) {
          markOnFrame = true;
        }
        if (pos >= mark) {
          frames++;
        }
        pos += HEADER + len;
      }
      if (pos == mark) {
        markOnFrame = true;
      }
      if (!markOnFrame) {
        log.warn("the sent mark of spool segment {} is not at a capture's start: sending the whole segment",
            seg.path.getFileName());
        mark = 0;
        frames = 0;
        for (long p = 0; p < pos; ) { // count again from the start
          head.clear();
          readFully(ch, head, p);
          p += HEADER + head.getInt(0);
          frames++;
        }
      }
      seg.start = mark;
      if (pos < size) {
        log.warn("spool segment {} ends in a torn capture (the process stopped while writing it): cut at byte {} of {}",
            seg.path.getFileName(), pos, size);
        ch.truncate(pos);
      }
      seg.size = pos;
      seg.live = frames;
    }
  }

  private static long sentMark(Segment seg) {
    try {
      String text = Files.readString(seg.sentMark()).trim();
      return Math.max(0, Long.parseLong(text));
    } catch (java.nio.file.NoSuchFileException e) {
      return 0;
    } catch (IOException | NumberFormatException e) {
      log.warn("ignoring the unreadable sent mark of spool segment {}: {}", seg.path.getFileName(), e.toString());
      return 0;
    }
  }

  /** Captures found in the directory at open (left by an earlier run). */
  long recovered() {
    return recovered;
  }

  /** Captures in the spool now, handed out ones included, until they are delivered or given up. */
  long records() {
    return records;
  }

  /** Bytes the segment files hold now. */
  long bytes() {
    return bytes;
  }

  long maxBytes() {
    return maxBytes;
  }

  Path dir() {
    return dir;
  }

  /**
   * Appends one capture.
   *
   * @return false when it would take the spool beyond its bound (nothing is written)
   * @throws UncheckedIOException when writing fails (a full disk, a removed directory)
   */
  synchronized boolean append(byte[] key, byte[] value) {
    if (closed) {
      return false;
    }
    int len = 2 + key.length + value.length;
    long frame = HEADER + (long) len;
    if (bytes + frame > maxBytes || len > MAX_FRAME || key.length > Short.MAX_VALUE) {
      return false;
    }
    try {
      if (writer == null || writing == null || (writing.size > 0 && writing.size + frame > segmentBytes)) {
        roll();
      }
      Segment seg = requireNonNull(writing);
      ByteBuffer buf = ByteBuffer.allocate((int) frame);
      buf.putInt(len).putInt(0).putShort((short) key.length).put(key).put(value);
      CRC32C crc = new CRC32C();
      crc.update(buf.array(), HEADER, len);
      buf.putInt(4, (int) crc.getValue());
      buf.flip();
      FileChannel w = requireNonNull(writer);
      long at = seg.size;
      while (buf.hasRemaining()) {
        at += w.write(buf, at);
      }
      seg.size = at;
      seg.live++;
      bytes += frame;
      records++;
      dirty = true;
      long now = System.nanoTime();
      if (now - lastForce >= FORCE_NANOS) {
        w.force(false);
        lastForce = now;
        dirty = false;
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to the spool in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Finishes the segment being written (forced to disk) and starts a new one. */
  private void roll() throws IOException {
    finishWriting();
    Segment seg = new Segment(nextSeq++, dir.resolve(String.format("%020d%s", nextSeq - 1, SUFFIX)));
    writer = FileChannel.open(seg.path, options(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), PrivateFiles.fileAttributes(dir));
    writing = seg;
    segments.addLast(seg);
  }

  private void finishWriting() throws IOException {
    FileChannel w = writer;
    if (w != null) {
      if (dirty) {
        w.force(false);
        dirty = false;
      }
      w.close();
    }
    writer = null;
    writing = null;
  }

  /**
   * The next capture to send: one handed back by {@link #retry} first, else the next unread one in
   * spool order. Null when there is none. The frame stays in the spool until {@link #settle}.
   */
  synchronized @Nullable Frame next() {
    if (closed) {
      return null;
    }
    Long retry = retries.pollFirst();
    if (retry != null) {
      return retryFrames.remove(retry);
    }
    try {
      while (true) {
        Segment seg = reading;
        if (seg == null) {
          seg = firstUnread();
          if (seg == null) {
            return null;
          }
          openReader(seg);
        }
        if (readPos + HEADER <= seg.size) {
          Frame f = read(seg);
          if (f != null) {
            return f;
          }
          continue; // a bad frame: the rest of the segment was dropped
        }
        if (seg == writing) {
          return null; // caught up with the writer
        }
        doneReading();
        deleteIfSettled(seg);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the spool in " + dir + ": " + e.getMessage(), e);
    }
  }

  private @Nullable Segment firstUnread() {
    // Segments before the one being read were read through: the first not yet opened is next.
    for (Segment s : segments) {
      if (!s.readThrough) {
        return s;
      }
    }
    return null;
  }

  private void openReader(Segment seg) throws IOException {
    reader = FileChannel.open(seg.path, StandardOpenOption.READ);
    reading = seg;
    readPos = seg.start;
  }

  private void doneReading() {
    Segment seg = reading;
    if (seg != null) {
      seg.readThrough = true;
    }
    closeQuietly(reader);
    reader = null;
    reading = null;
    readPos = 0;
  }

  private @Nullable Frame read(Segment seg) throws IOException {
    FileChannel r = requireNonNull(reader);
    ByteBuffer head = ByteBuffer.allocate(HEADER);
    readFully(r, head, readPos);
    int len = head.getInt(0);
    int crc = head.getInt(4);
    if (len >= 2 && len <= MAX_FRAME && readPos + HEADER + len <= seg.size) {
      ByteBuffer body = ByteBuffer.allocate(len);
      readFully(r, body, readPos + HEADER);
      CRC32C check = new CRC32C();
      check.update(body.array(), 0, len);
      int keyLen = body.getShort(0);
      if ((int) check.getValue() == crc && keyLen >= 0 && keyLen <= len - 2) {
        byte[] key = new byte[keyLen];
        byte[] value = new byte[len - 2 - keyLen];
        body.get(2, key).get(2 + keyLen, value);
        Frame f = new Frame(key, value, seg, readPos);
        readPos += HEADER + len;
        seg.out++;
        outstanding.add(key(f));
        return f;
      }
    }
    // Unreadable from here on: the frames after it cannot be found without trusting its length.
    long unread = seg.live - seg.out;
    log.warn("spool segment {} is damaged at byte {}: dropping the {} capture(s) not yet sent from it",
        seg.path.getFileName(), readPos, unread);
    lost.accept(unread); // counted as dropped before they leave the spool's count
    seg.live -= unread;
    records -= unread;
    readPos = seg.size;
    if (seg == writing) {
      finishWriting(); // never append behind a damaged frame
    }
    return null;
  }

  /** Hands a frame from {@link #next()} back, to be returned again before any unread one. */
  synchronized void retry(Frame f) {
    if (!closed) {
      retries.add(key(f));
      retryFrames.put(key(f), f);
    }
  }

  private static long key(Frame f) {
    return (f.segment.seq << 40) | f.position; // spool order: segment, then position (segments stay far below 1 TiB)
  }

  /**
   * A frame from {@link #next()} was delivered, or given up for good: it leaves the spool, and a
   * segment whose frames have all left it is deleted.
   */
  synchronized void settle(Frame f) {
    if (closed) {
      return;
    }
    Segment seg = f.segment;
    outstanding.remove(key(f));
    seg.out--;
    seg.live--;
    records--;
    deleteIfSettled(seg);
    long now = System.nanoTime();
    if (now - lastMark >= FORCE_NANOS) {
      lastMark = now;
      markSent();
    }
  }

  /**
   * Writes each segment's sent mark where it moved, so that a restart does not send again what
   * was delivered (only what was delivered since the last mark, at most a second's worth).
   */
  private void markSent() {
    for (Segment s : segments) {
      long prefix;
      Long first = outstanding.ceiling(s.seq << 40);
      if (first != null && (first >>> 40) == s.seq) {
        prefix = first & ((1L << 40) - 1);
      } else if (s == reading) {
        prefix = readPos;
      } else if (s.readThrough) {
        prefix = s.size;
      } else {
        prefix = s.start;
      }
      if (prefix > s.start) {
        try {
          Path tmp = s.sentMark().resolveSibling(s.sentMark().getFileName() + ".tmp");
          Files.writeString(tmp, Long.toString(prefix));
          Files.move(tmp, s.sentMark(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
              java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          s.start = prefix;
        } catch (IOException e) {
          log.debug("cannot write the sent mark of spool segment {}: {}", s.path.getFileName(), e.toString());
        }
      }
    }
  }

  private void deleteIfSettled(Segment seg) {
    if (seg.live > 0 || seg.out > 0) {
      return;
    }
    boolean readThrough = seg.readThrough || (seg == reading && readPos >= seg.size);
    if (!readThrough) {
      return;
    }
    try {
      if (seg == reading) {
        doneReading();
      }
      if (seg == writing) {
        finishWriting();
      }
      Files.deleteIfExists(seg.path);
      Files.deleteIfExists(seg.sentMark());
    } catch (IOException e) {
      log.warn("cannot delete the sent spool segment {}: {}", seg.path, e.toString());
      return;
    }
    segments.remove(seg);
    bytes -= seg.size;
  }

  /** Forces what was written to the device and releases the directory; the frames stay for the next start. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    markSent();
    closed = true;
    try {
      finishWriting();
    } catch (IOException e) {
      log.warn("closing the spool in {}: {}", dir, e.toString());
    }
    closeQuietly(reader);
    try {
      lock.release();
    } catch (IOException e) {
      // closing the channel releases it too
    }
    closeQuietly(lockChannel);
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
    long pos = at;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("unexpected end of spool file at byte " + pos);
      }
      pos += n;
    }
  }

  private static void closeQuietly(@Nullable AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // nothing left to do
      }
    }
  }
}
