package dev.tapline.core;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directories that hold captured traffic (the data directory, the index, the spool, Kafka's logs)
 * are readable by their owner only: {@code 0700} where the file system has POSIX permissions.
 * Files inside need no mode of their own (no one else can reach them); the launcher also sets
 * {@code umask 077} for the commands that store traffic, so they are {@code 0600} as well.
 */
public final class PrivateFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private PrivateFiles() {}

  /**
   * Creates {@code dir} and its missing parents, and makes {@code dir} itself owner-only, whether it
   * was just created or already there (it is Tapline's own).
   *
   * @return {@code dir}
   */
  public static Path directory(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (POSIX && !Files.isSymbolicLink(dir)
        && !Files.getPosixFilePermissions(dir).equals(OWNER_ONLY)) {
      Files.setPosixFilePermissions(dir, OWNER_ONLY);
    }
    return dir;
  }
}
