package dev.tapline.cli;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * Progress for long jobs on stderr: a redrawn line on a terminal, a line every few seconds
 * otherwise (CI logs), nothing for jobs that finish within a second.
 */
final class Progress {
  private final PrintWriter err;
  private final boolean tty = System.console() != null;
  private final long startNanos = System.nanoTime();
  private long lastPrint = System.nanoTime();
  private boolean printed;

  private Progress(PrintWriter err) {
    this.err = err;
  }

  /** Progress written to {@code err} (a command's error writer). */
  static Progress to(PrintWriter err) {
    return new Progress(err);
  }

  /** Shows {@code line} unless a line was shown too recently; the text is only built when shown. */
  synchronized void show(Supplier<String> line) {
    long now = System.nanoTime();
    long every = tty ? 250_000_000L : 5_000_000_000L;
    if (now - lastPrint < every || now - startNanos < 1_000_000_000L) {
      return;
    }
    lastPrint = now;
    printed = true;
    if (tty) {
      err.print("\r" + line.get() + "\033[K");
    } else {
      err.println(line.get());
    }
    err.flush();
  }

  /** Shows {@code done} of {@code total} (total ≤ 0: unknown) for {@code label}. */
  void count(String label, long done, long total) {
    show(() -> total > 0 ? String.format("%s: %d/%d (%d%%)", label, done, total, done * 100 / total) : label + ": " + done);
  }

  /** Clears a redrawn line so the result starts on a clean one. */
  synchronized void done() {
    if (printed && tty) {
      err.print("\r\033[K");
      err.flush();
    }
  }
}
