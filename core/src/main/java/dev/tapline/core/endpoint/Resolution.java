package dev.tapline.core.endpoint;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link EndpointResolver} says about one request: the endpoint it calls and the values its
 * path parameters had.
 *
 * @param key the endpoint
 * @param paramValues the concrete value of each of {@code key.paramNames()}, in order, as sent
 *     (still percent-encoded)
 * @param operationId the OpenAPI {@code operationId}, when a spec named the operation
 * @param source which link of the chain decided: {@code openapi}, {@code heuristic}, ...
 */
public record Resolution(EndpointKey key, List<String> paramValues, @Nullable String operationId, String source) {
  public Resolution {
    requireNonNull(key, "key");
    paramValues = List.copyOf(requireNonNull(paramValues, "paramValues"));
    requireNonNull(source, "source");
    if (paramValues.size() != key.paramNames().size()) {
      throw new IllegalArgumentException("paramValues must have one value per parameter of "
          + key.template() + ", got " + paramValues);
    }
  }

  public List<String> paramNames() {
    return key.paramNames();
  }
}
