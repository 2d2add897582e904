package dev.tapline.core.endpoint;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link EndpointResolver} says about one request: the endpoint it calls and the values its
 * path parameters had; for an operation carried in the body (GraphQL), its type and the root fields
 * it selects.
 *
 * @param key the endpoint
 * @param paramValues the concrete value of each of {@code key.paramNames()}, in order, as sent
 *     (still percent-encoded)
 * @param operationId the name of the operation when something named it: the OpenAPI {@code
 *     operationId}, the GraphQL operation name ({@code GetUser}, {@code anonymous_1a2b3c4d})
 * @param source which link of the chain decided: {@code openapi}, {@code graphql}, {@code heuristic}, ...
 * @param fields the root fields a GraphQL operation selects ({@code user}, {@code createUser}), in
 *     document order without repeats; empty for anything else
 */
public record Resolution(EndpointKey key, List<String> paramValues, @Nullable String operationId, String source,
    List<String> fields) {
  public Resolution {
    requireNonNull(key, "key");
    paramValues = List.copyOf(requireNonNull(paramValues, "paramValues"));
    requireNonNull(source, "source");
    fields = List.copyOf(requireNonNull(fields, "fields"));
    if (paramValues.size() != key.paramNames().size()) {
      throw new IllegalArgumentException("paramValues must have one value per parameter of "
          + key.template() + ", got " + paramValues);
    }
  }

  /** A resolution that selects no fields: every REST endpoint's. */
  public Resolution(EndpointKey key, List<String> paramValues, @Nullable String operationId, String source) {
    this(key, paramValues, operationId, source, List.of());
  }

  public List<String> paramNames() {
    return key.paramNames();
  }

  /** {@code query}, {@code mutation} or {@code subscription} for a GraphQL operation; else null. */
  public @Nullable String operationType() {
    return key.operationType();
  }
}
