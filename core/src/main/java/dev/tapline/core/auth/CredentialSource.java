package dev.tapline.core.auth;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where a run's credentials come from: by default the system property {@code tapline.auth.<name>},
 * then the environment variable {@code TAPLINE_AUTH_<NAME>}, the same places generated tests read.
 * Never the recording.
 */
@FunctionalInterface
public interface CredentialSource {
  /** The value of a property such as {@code tapline.auth.password} (or its variable), or null. */
  @Nullable String get(String property, String env);

  /** The value of a credential: the run's, else the recorded one it may replace, else null. */
  default @Nullable String value(Credential c) {
    String v = get(c.property(), c.env());
    return v != null ? v : c.recorded();
  }

  /** System properties, then the environment. */
  static CredentialSource system() {
    return (property, env) -> {
      String v = System.getProperty(property);
      if (v == null || v.isEmpty()) {
        v = System.getenv(env);
      }
      return v == null || v.isEmpty() ? null : v;
    };
  }

  /** {@code properties} (keys such as {@code tapline.auth.password}) first, then {@code fallback}. */
  static CredentialSource of(Map<String, String> properties, CredentialSource fallback) {
    Map<String, String> copy = Map.copyOf(requireNonNull(properties, "properties"));
    requireNonNull(fallback, "fallback");
    return (property, env) -> {
      String v = copy.get(property);
      return v != null && !v.isEmpty() ? v : fallback.get(property, env);
    };
  }
}
