package dev.tapline.cli;

import java.io.PrintStream;

/**
 * Progress for long jobs on stderr: a redrawn line on a terminal, a line every few seconds
 * otherwise (CI logs), nothing for jobs that finish quickly.
 */
final class Progress {
  private final String label;
  private final long total;
  private final PrintStream err = System.err;
  private final boolean tty = System.console() != null;
  private final long startNanos = System.nanoTime();
  private long lastPrint = System.nanoTime();
  private boolean printed;

  private Progress(String label, long total) {
    this.label = label;
    this.total = total;
  }

  /** @param total the expected count, or a negative number when unknown */
  static Progress start(String label, long total) {
    return new Progress(label, total);
  }

  synchronized void update(long done) {
    long now = System.nanoTime();
    long every = tty ? 200_000_000L : 5_000_000_000L;
    if (now - lastPrint < every || now - startNanos < 1_000_000_000L) {
      return;
    }
    lastPrint = now;
    printed = true;
    String line = total > 0 ? String.format("%s: %d/%d (%d%%)", label, done, total, done * 100 / total) : label + ": " + done;
    if (tty) {
      err.print("\r" + line + "   ");
    } else {
      err.println(line);
    }
    err.flush();
  }

  synchronized void done() {
    if (printed && tty) {
      err.print("\r\033[K");
      err.flush();
    }
  }
}
