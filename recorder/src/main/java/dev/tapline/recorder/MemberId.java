package dev.tapline.recorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The recorder's {@code group.instance.id}, kept in its index directory ({@value #FILE}): the same
 * index is the same member of the consumer group, across restarts and crashes, so the broker hands
 * its partitions back at once (Kafka's static membership) instead of after the old member's
 * session timeout. An index directory copied to run a second recorder must drop the file, or the
 * two fence each other out of the group.
 */
final class MemberId {
  static final String FILE = "kafka-member-id";

  private MemberId() {}

  /** The id stored in {@code indexDir}, written there first when there is none. */
  static String of(Path indexDir) {
    Path file = indexDir.resolve(FILE);
    try {
      Files.createDirectories(indexDir);
      if (!Files.exists(file)) {
        String id = "tapline-recorder-" + UUID.randomUUID();
        Path tmp = Files.createTempFile(indexDir, FILE, ".tmp");
        Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
        try {
          // The index's write lock is held: no other recorder writes here meanwhile.
          Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          Files.deleteIfExists(tmp);
          throw e;
        }
      }
      String id = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (id.isEmpty() || id.length() > 200) {
        throw new IOException("it must hold one id of 1 to 200 characters; delete it to get a new one");
      }
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the recorder's group member id in " + file + ": "
          + e.getMessage(), e);
    }
  }
}
