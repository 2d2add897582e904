package dev.tapline.cli;

import dev.tapline.core.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The redaction hash key in a file ({@code tapline proxy --redact-key-file}, and the one {@code
 * tapline up} keeps in its data directory): the file's text without surrounding white space, at
 * least {@value #MIN_CHARS} characters ({@code openssl rand -hex 32 > redact.key} makes a good one).
 * With it every redacted value becomes {@code [REDACTED:<keyed hash>]}, equal wherever the secret
 * was, so that {@code generate} and {@code replay} can link a credential to the login that issued it.
 * Whoever has the key can test guesses against the hashes: keep it like a password (owner-only).
 */
final class RedactKeyFile {
  static final String DEFAULT_NAME = "redact.key";
  static final int MIN_CHARS = 16;

  private RedactKeyFile() {}

  /**
   * The key in {@code file}.
   *
   * @throws UsageException naming {@code flag} when the file is missing, unreadable or too short
   */
  static byte[] read(String flag, Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new UsageException(flag + " " + file + " cannot be read: " + e.getMessage(), e);
    }
    if (text.length() < MIN_CHARS) {
      throw new UsageException(flag + " " + file + " holds " + text.length() + " characters; a key needs at least "
          + MIN_CHARS + " (e.g. openssl rand -hex 32 > " + file + ")");
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether users other than the owner may read the file (on file systems that say so). */
  static boolean readableByOthers(Path file) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * The key file {@code file}, made when missing: 32 random bytes as 64 hex digits, readable and
   * writable by the owner only (0600), so the same key, and the same hashes, serve across restarts.
   *
   * @return whether it was made now
   */
  static boolean createIfMissing(Path file) throws IOException {
    if (Files.exists(file)) {
      return false;
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    byte[] text = (HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.UTF_8);
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    try {
      Files.createFile(file, PrivateFiles.fileAttributes(dir));
    } catch (FileAlreadyExistsException raced) {
      return false;
    }
    Files.write(file, text);
    return true;
  }
}
