package dev.tapline.core.auth;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One value a login sends that the run supplies: a field of the login's JSON or form body, read from
 * the system property {@link #property()} or the environment variable {@link #env()}.
 *
 * <pre>{@code
 * Credential password = Credential.of("password", List.of("password"), null);
 * password.property();   // tapline.auth.password
 * password.env();        // TAPLINE_AUTH_PASSWORD
 * Credential.of("clientId", List.of("client_id"), "reports").env();  // TAPLINE_AUTH_CLIENT_ID
 * }</pre>
 *
 * @param name what the run calls it: the field's name ({@code password}, {@code client_id}), or its
 *     dotted path when two fields share a name ({@code user.password})
 * @param path where it goes in the login's body: JSON keys from the root, or the one form field name
 * @param recorded the recorded value, which the run may replace ({@code username}, {@code email});
 *     null when it was redacted, so the run must give it
 */
public record Credential(String name, List<String> path, @Nullable String recorded) {
  public Credential {
    requireNonNull(name, "name");
    path = List.copyOf(requireNonNull(path, "path"));
    if (name.isBlank() || path.isEmpty()) {
      throw new IllegalArgumentException("a credential needs a name and a path: " + name + " " + path);
    }
  }

  public static Credential of(String name, List<String> path, @Nullable String recorded) {
    return new Credential(name, path, recorded);
  }

  /** Whether the run must give it (it was redacted in the recording). */
  public boolean required() {
    return recorded == null;
  }

  /** {@code tapline.auth.<name>}. */
  public String property() {
    return property(name);
  }

  /** {@code TAPLINE_AUTH_<NAME>}, the name in upper snake case. */
  public String env() {
    return env(name);
  }

  /** {@code tapline.auth.<name>}. */
  public static String property(String name) {
    return "tapline.auth." + name;
  }

  /** {@code TAPLINE_AUTH_} and the name in upper snake case: {@code clientId}, {@code client-id} → {@code CLIENT_ID}. */
  public static String env(String name) {
    StringBuilder sb = new StringBuilder("TAPLINE_AUTH_");
    char prev = '_';
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 128 && Character.isLetterOrDigit(c)) {
        if (Character.isUpperCase(c) && Character.isLowerCase(prev)) {
          sb.append('_');
        }
        sb.append(Character.toUpperCase(c));
        prev = c;
      } else if (prev != '_') {
        sb.append('_');
        prev = '_';
      }
    }
    return sb.toString().toUpperCase(Locale.ROOT);
  }

  /** Where the run may give it, for messages: {@code tapline.auth.password (or TAPLINE_AUTH_PASSWORD)}. */
  public String where() {
    return property() + " (or " + env() + ")";
  }
}
