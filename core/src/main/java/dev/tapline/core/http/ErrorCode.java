package dev.tapline.core.http;

/**
 * The {@code error} codes of Tapline's JSON error bodies ({@code {"error": code, "detail": ...}}),
 * exactly as docs/API.md lists them. One list for the recorder, the UI and the proxy's admin port.
 */
public enum ErrorCode {
  /** 400: the request is malformed (a body that is not the expected JSON, a bad parameter). */
  BAD_REQUEST("bad_request"),
  /** 400: the query {@code q} does not parse; the detail says where. */
  BAD_QUERY("bad_query"),
  /** 400: {@code limit} is not 1..1000. */
  BAD_LIMIT("bad_limit"),
  /** 400: {@code cursor} was not handed out by this API. */
  BAD_CURSOR("bad_cursor"),
  /** 401: the token is missing or wrong. */
  UNAUTHORIZED("unauthorized"),
  /** 403: the request's {@code Origin} is another site's (servers that check it). */
  FORBIDDEN("forbidden"),
  /** 404: no such path, exchange, endpoint or run. */
  NOT_FOUND("not_found"),
  /** 405: another method than the path allows; an {@code Allow} header says which. */
  METHOD_NOT_ALLOWED("method_not_allowed"),
  /** 414: a request target (path and query) longer than this server reads. */
  TOO_LONG("too_long"),
  /** 409: the request conflicts with the server's state, e.g. the proxy's route table is full. */
  CONFLICT("conflict"),
  /** 413: a request body larger than the path accepts. */
  PAYLOAD_TOO_LARGE("payload_too_large"),
  /** 421: the {@code Host} does not name this server (a DNS-rebinding page, a wrong proxy). */
  MISDIRECTED_REQUEST("misdirected_request"),
  /** 429: too many wrong tokens from one address, or too many concurrent requests of one kind. */
  TOO_MANY_REQUESTS("too_many_requests"),
  /** 500: a bug; the detail says what failed. */
  INTERNAL_ERROR("internal_error"),
  /** 502: something this server depends on failed (e.g. reading exchanges for generation). */
  BAD_GATEWAY("bad_gateway"),
  /** 503: not able to serve now (health). */
  UNAVAILABLE("unavailable"),
  /** 503: a query ran past its deadline and was stopped; the detail says how to narrow it. */
  QUERY_TIMEOUT("query_timeout");

  private final String code;

  ErrorCode(String code) {
    this.code = code;
  }

  /** The string written as {@code error}. */
  public String code() {
    return code;
  }

  @Override
  public String toString() {
    return code;
  }
}
