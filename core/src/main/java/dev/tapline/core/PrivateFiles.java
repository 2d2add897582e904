package dev.tapline.core;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directories that hold captured traffic (the data directory, the index, the spool, Kafka's logs)
 * are readable by their owner only: {@code 0700} where the file system has POSIX permissions.
 * Files inside need no mode of their own (no one else can reach them); the launcher also sets
 * {@code umask 077} for the commands that store traffic, so they are {@code 0600} as well, and
 * {@link #fileAttributes} gives a file that mode where Tapline runs as a library.
 */
public final class PrivateFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

  private PrivateFiles() {}

  /**
   * Creates {@code dir} and its missing parents, and makes {@code dir} itself owner-only, whether it
   * was just created or already there (it is Tapline's own).
   *
   * @return {@code dir}
   */
  public static Path directory(Path dir) throws IOException {
    boolean posix = posix(dir);
    if (!Files.isDirectory(dir)) {
      try {
        if (posix) {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY)); // never readable by others
        } else {
          Files.createDirectories(dir);
        }
      } catch (FileAlreadyExistsException raced) {
        // another process made it meanwhile: its mode is checked below
      }
    }
    if (posix && !Files.isSymbolicLink(dir) && !Files.getPosixFilePermissions(dir).equals(OWNER_ONLY)) {
      Files.setPosixFilePermissions(dir, OWNER_ONLY);
    }
    return dir;
  }

  /** What {@code Files.newByteChannel} or {@code createFile} takes to make a file in {@code dir} {@code 0600}. */
  public static FileAttribute<?>[] fileAttributes(Path dir) {
    return posix(dir)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE)}
        : new FileAttribute<?>[0];
  }

  /** Whether the file system {@code path} is on (or would be, for a path not made yet) has POSIX modes. */
  private static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
