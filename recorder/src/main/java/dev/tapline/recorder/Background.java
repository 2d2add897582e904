package dev.tapline.recorder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Indexing is background work: on a machine that also serves traffic (a laptop running {@code
 * tapline up}, a proxy next to the recorder) the traffic comes first and the index catches up.
 * The recorder's indexing threads (consume, analyze, flush, refresh, commit, merge) therefore run
 * at a lower CPU priority: {@code nice} {@value #NICE} on Linux, applied per thread with {@code
 * renice}, since the JDK has no portable way to do it. Where that is not possible (no {@code
 * /proc/thread-self}, no {@code renice}) the threads run at normal priority. Searches and the HTTP
 * API are not affected: they run on their own threads at normal priority.
 */
final class Background {
  private static final Logger LOG = LoggerFactory.getLogger(Background.class);
  static final int NICE = 10;
  private static final Path THREAD_SELF = Path.of("/proc/thread-self");
  private static volatile boolean unavailable = !Files.isSymbolicLink(THREAD_SELF);

  private Background() {}

  /** Daemon threads named {@code name} that lower their own priority when they start. */
  static ThreadFactory threads(String name) {
    return r -> {
      Thread t = new Thread(() -> {
        lowerPriority();
        r.run();
      }, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Lowers the calling thread's CPU priority (best effort, once per thread). */
  static void lowerPriority() {
    if (unavailable) {
      return;
    }
    try {
      // "<pid>/task/<tid>": on Linux a thread id is what renice -p takes for one thread.
      String tid = Files.readSymbolicLink(THREAD_SELF).getFileName().toString();
      Process p = new ProcessBuilder("renice", "-n", String.valueOf(NICE), "-p", tid)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException | UnsupportedOperationException e) {
      unavailable = true;
      LOG.debug("indexing threads keep their normal priority: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
