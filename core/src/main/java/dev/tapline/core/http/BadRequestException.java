package dev.tapline.core.http;

/**
 * A request this server cannot read, such as a query parameter whose percent-encoding is
 * malformed. {@link HttpEdge#guarded} answers it with {@code 400 bad_request} and this message, so a
 * handler that reads its parameters with {@link HttpResponses#params} need not check for it.
 */
public final class BadRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadRequestException(String message) {
    super(message);
  }
}
