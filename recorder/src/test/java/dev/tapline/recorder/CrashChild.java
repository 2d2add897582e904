package dev.tapline.recorder;

import java.nio.file.Path;
import java.time.Duration;

/** Runs a recorder in its own JVM so that a test can kill it without a clean shutdown. */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Recorder r = Recorder.start(RecorderConfig.builder()
        .kafka(args[0]).topic(args[1]).groupId(args[2]).indexDir(Path.of(args[3]))
        .batchSize(250).commitInterval(Duration.ofMillis(150))
        .build());
    System.out.println("port " + r.httpPort());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
