package dev.tapline.kafka.embedded.testing;

import dev.tapline.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One real embedded broker per test JVM, started on first use (3-5 s) and stopped at exit. Tests
 * isolate themselves with their own topic names ({@link #uniqueTopic}).
 */
public final class SharedKafka {
  private static EmbeddedKafka kafka;
  private static int topics;

  private SharedKafka() {}

  public static synchronized EmbeddedKafka get() {
    if (kafka == null) {
      try {
        Path dir = Files.createTempDirectory("tapline-test-kafka");
        kafka = EmbeddedKafka.start(dir, 0);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          kafka.close();
          deleteTree(dir);
        }, "shared-kafka-stop"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return kafka;
  }

  public static String bootstrap() {
    return get().bootstrapServers();
  }

  public static synchronized String uniqueTopic(String prefix) {
    return prefix + "." + ProcessHandle.current().pid() + "." + (++topics);
  }

  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: temp space
    }
  }
}
