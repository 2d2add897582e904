package dev.tapline.examples.clinic;

import static java.util.stream.Collectors.joining;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An RFC 7807 problem a handler throws and {@link ClinicService} answers as {@code
 * application/problem+json}, the shape Spring's {@code ProblemDetail} gives: {@code type}, {@code
 * title} (the reason phrase), {@code status}, {@code detail}, {@code instance} (the request path),
 * a {@code timestamp}, and for validation failures the {@code errors} by field.
 */
final class Problem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  record FieldError(String field, String message) {}

  final int status;
  private final String slug;
  private final List<FieldError> errors;
  private final transient Map<String, String> headers;

  private Problem(int status, String slug, String detail, List<FieldError> errors, Map<String, String> headers) {
    super(detail, null, false, false);
    this.status = status;
    this.slug = slug;
    this.errors = List.copyOf(errors);
    this.headers = Map.copyOf(headers);
  }

  static Problem notFound(String detail) {
    return new Problem(404, "not-found", detail, List.of(), Map.of());
  }

  static Problem badRequest(String detail) {
    return new Problem(400, "bad-request", detail, List.of(), Map.of());
  }

  /** A 400 naming each invalid field in {@code errors} and in the detail. */
  static Problem invalid(List<FieldError> errors) {
    String detail = "Invalid request content: "
        + errors.stream().map(e -> e.field() + ": " + e.message()).collect(joining("; "));
    return new Problem(400, "validation-failed", detail, errors, Map.of());
  }

  static Problem conflict(String detail) {
    return new Problem(409, "conflict", detail, List.of(), Map.of());
  }

  static Problem methodNotAllowed(String method, String allow) {
    return new Problem(405, "method-not-allowed", "Request method '" + method + "' is not supported; use " + allow,
        List.of(), Map.of("Allow", allow));
  }

  static Problem unsupportedMediaType(String contentType) {
    return new Problem(415, "unsupported-media-type",
        "Content-Type '" + contentType + "' is not supported; send application/json", List.of(), Map.of());
  }

  static Problem tooLarge(int max) {
    return new Problem(413, "payload-too-large", "request body exceeds " + max + " bytes", List.of(), Map.of());
  }

  static Problem internal(String detail) {
    return new Problem(500, "internal-error", detail, List.of(), Map.of());
  }

  Map<String, String> headers() {
    return headers;
  }

  ObjectNode body(Links links, String instance) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("type", links.problemType(slug));
    body.put("title", title(status));
    body.put("status", status);
    body.put("detail", getMessage());
    body.put("instance", instance);
    body.put("timestamp", Instant.now().toString());
    if (!errors.isEmpty()) {
      var array = body.putArray("errors");
      errors.forEach(e -> array.addObject().put("field", e.field()).put("message", e.message()));
    }
    return body;
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 413 -> "Payload Too Large";
      case 415 -> "Unsupported Media Type";
      default -> "Internal Server Error";
    };
  }
}
