package dev.tapline.core.redact;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Headers whose whole value is a secret ({@code Authorization}, {@code Cookie}...), by name in any case. */
public final class HeaderRule implements RedactionRule {
  private final Set<String> names;
  private final String[] list; // lower case; an array: iterating a set allocates per header

  private HeaderRule(Set<String> lowerCaseNames) {
    this.names = Collections.unmodifiableSet(lowerCaseNames);
    this.list = lowerCaseNames.toArray(String[]::new);
  }

  public static HeaderRule of(Iterable<String> names) {
    Set<String> lower = new LinkedHashSet<>();
    for (String n : requireNonNull(names, "names")) {
      lower.add(requireNonNull(n, "header name").trim().toLowerCase(Locale.ROOT));
    }
    return new HeaderRule(lower);
  }

  public static HeaderRule of(String... names) {
    return of(List.of(names));
  }

  @Override
  public String name() {
    return "headers";
  }

  /** None: header names are compared directly, bodies are never scanned for them. */
  @Override
  public List<Trigger> triggers() {
    return List.of();
  }

  /** The header names, lower case. */
  public Set<String> names() {
    return names;
  }

  public boolean matches(String headerName) {
    // Compared without lower-casing: a proxied request has a dozen headers and the denylist a few
    // names, and a lower-cased copy of every name was a fifth of what capturing allocated.
    for (String h : list) {
      if (h.length() == headerName.length() && h.equalsIgnoreCase(headerName)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "HeaderRule" + names;
  }
}
