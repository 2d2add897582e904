package dev.tapline.core.auth;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Request;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The logins a recording shows ({@link AuthLinks#flows()}), and for each way of presenting a
 * credential the login whose credentials were presented that way.
 *
 * @param flows the logins, sorted by endpoint
 * @param byForm {@link CredentialForm#key()} → the login whose credentials requests presented that way
 * @param unlinked forms requests presented credentials in that no recorded response issued, with how
 *     many requests: a long-lived key given out of band, or a login before the recording began
 * @param unkeyed requests whose credentials were redacted without a hash key, so nothing can link them
 */
public record AuthFlows(List<LoginFlow> flows, SortedMap<String, LoginFlow> byForm, SortedMap<String, Long> unlinked,
    long unkeyed) {
  private static final AuthFlows NONE = new AuthFlows(List.of(), new TreeMap<>(), new TreeMap<>(), 0);

  public AuthFlows {
    flows = List.copyOf(requireNonNull(flows, "flows"));
    byForm = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(byForm, "byForm")));
    unlinked = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(unlinked, "unlinked")));
  }

  public static AuthFlows none() {
    return NONE;
  }

  public boolean isEmpty() {
    return flows.isEmpty();
  }

  /** The login whose credentials {@code request} presented (by the way it presented them), or null. */
  public @Nullable LoginFlow flowFor(Request request) {
    for (Credentials.Presented p : Credentials.presented(request)) {
      LoginFlow f = byForm.get(p.form().key());
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  /** The login of the first of these {@link CredentialForm#key() form keys} that has one, or null. */
  public @Nullable LoginFlow flowFor(Collection<String> formKeys) {
    for (String k : formKeys) {
      LoginFlow f = byForm.get(k);
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  /** Every login's credentials, each once by name, in order. */
  public List<Credential> credentials() {
    Map<String, Credential> out = new java.util.LinkedHashMap<>();
    for (LoginFlow f : flows) {
      for (Credential c : f.credentials()) {
        out.putIfAbsent(c.name(), c);
      }
    }
    return List.copyOf(out.values());
  }
}
