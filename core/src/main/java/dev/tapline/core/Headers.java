package dev.tapline.core;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An ordered multi-map of headers. Repeated names keep their order; look-ups ignore case, as HTTP
 * does.
 */
public record Headers(List<Header> entries) {
  private static final Headers EMPTY = new Headers(List.of());

  public Headers {
    entries = List.copyOf(requireNonNull(entries, "entries"));
  }

  public static Headers empty() {
    return EMPTY;
  }

  public static Headers of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("namesAndValues must come in pairs, got " + namesAndValues.length);
    }
    List<Header> list = new ArrayList<>(namesAndValues.length / 2);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      list.add(new Header(namesAndValues[i], namesAndValues[i + 1]));
    }
    return new Headers(list);
  }

  /** The first value for {@code name} (any case), or null. */
  public @Nullable String first(String name) {
    for (Header h : entries) {
      if (h.name().equalsIgnoreCase(name)) {
        return h.value();
      }
    }
    return null;
  }

  /** Every value for {@code name} (any case), in wire order. */
  public List<String> all(String name) {
    List<String> out = new ArrayList<>(2);
    for (Header h : entries) {
      if (h.name().equalsIgnoreCase(name)) {
        out.add(h.value());
      }
    }
    return out;
  }

  public boolean contains(String name) {
    return first(name) != null;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public int size() {
    return entries.size();
  }

  /** Lower-cased distinct names, in first-seen order. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    for (Header h : entries) {
      String n = h.name().toLowerCase(Locale.ROOT);
      if (!out.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }
}
