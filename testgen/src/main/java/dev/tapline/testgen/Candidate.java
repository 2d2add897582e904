package dev.tapline.testgen;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One recorded exchange kept as the representative of a scenario (the smallest exchange id among
 * the samples with the same request shape and response signature, so input order does not matter).
 *
 * @param requestBody UTF-8 text, or base64 when {@code binaryRequest}
 * @param responseBody the response text (capped), for examples in the inferred spec
 * @param authority the {@code Host} the request was sent to: response values holding it are
 *     deployment details, not contract
 * @param credentials how the request presented redacted credentials ({@link
 *     dev.tapline.core.auth.CredentialForm#key() form keys} such as {@code header:authorization}),
 *     sorted; a test sends the run's own credentials that way (see {@link AuthPlan})
 */
record Candidate(
    String exchangeId,
    long startedAt,
    String authority,
    String method,
    String rawPath,
    List<String> paramValues,
    List<QueryParam> query,
    @Nullable String requestContentType,
    @Nullable String requestBody,
    boolean binaryRequest,
    int status,
    @Nullable String responseMime,
    @Nullable String responseBody,
    @Nullable Graphql graphql,
    List<String> credentials) {

  Candidate {
    credentials = List.copyOf(credentials);
  }

  /**
   * The GraphQL operation a request carried (one operation per request; batches stay raw bodies).
   *
   * @param variables the {@code variables} object as JSON text, or null
   * @param fields the root fields it selects
   * @param errors whether the recorded answer had an {@code errors} array
   */
  record Graphql(String type, String name, String document, @Nullable String variables, List<String> fields,
      boolean errors) {}

  Candidate(String exchangeId, long startedAt, String authority, String method, String rawPath,
      List<String> paramValues, List<QueryParam> query, @Nullable String requestContentType,
      @Nullable String requestBody, boolean binaryRequest, int status, @Nullable String responseMime,
      @Nullable String responseBody) {
    this(exchangeId, startedAt, authority, method, rawPath, paramValues, query, requestContentType, requestBody,
        binaryRequest, status, responseMime, responseBody, null, List.of());
  }

  /** The same recorded request without its response text (kept small for flow tracking). */
  Candidate requestOnly() {
    return new Candidate(exchangeId, startedAt, authority, method, rawPath, paramValues, query, requestContentType,
        requestBody, binaryRequest, status, responseMime, null, graphql, credentials);
  }

  record QueryParam(String name, @Nullable String value) {}

  static List<QueryParam> parseQuery(@Nullable String raw) {
    if (raw == null || raw.isEmpty()) {
      return List.of();
    }
    java.util.ArrayList<QueryParam> out = new java.util.ArrayList<>();
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      out.add(eq < 0 ? new QueryParam(part, null) : new QueryParam(part.substring(0, eq), part.substring(eq + 1)));
    }
    return List.copyOf(out);
  }
}
