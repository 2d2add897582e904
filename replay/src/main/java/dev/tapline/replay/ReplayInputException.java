package dev.tapline.replay;

/**
 * The exchanges to replay cannot be read: a malformed NDJSON line, a file that does not exist, a
 * recorder that refused the export. The message says what and where; the CLI exits with code 2.
 */
public final class ReplayInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ReplayInputException(String message) {
    super(message);
  }

  public ReplayInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
