package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The live routing table of a running proxy: routing key → sandbox upstream. Changes take effect
 * for the next request; requests in flight keep the upstream they started with. Safe to use from
 * any thread (the admin server's {@code PUT/DELETE /routes/{key}} call these methods).
 */
public final class RouteTable {
  // The targets are built when a route is set, so that routing a request allocates none.
  private final ConcurrentHashMap<String, Target.Sandbox> routes = new ConcurrentHashMap<>();

  RouteTable(Map<String, URI> initial) {
    initial.forEach(this::put);
  }

  /**
   * Routes {@code key} to {@code upstream} ({@code http(s)://host:port}), replacing any previous route.
   *
   * @return the previous upstream, or null
   * @throws IllegalArgumentException when the key is blank or the URI is not {@code http(s)://host[:port]}
   *     or its host cannot be resolved
   */
  public @Nullable URI put(String key, URI upstream) {
    Upstream u = Upstream.of(requireNonNull(upstream, "upstream"));
    String k = validKey(key);
    Target.Sandbox old = routes.put(k, new Target.Sandbox(k, u));
    return old == null ? null : old.upstream().uri();
  }

  /** Removes the route for {@code key}; returns the upstream it had, or null when there was none. */
  public @Nullable URI remove(String key) {
    Target.Sandbox old = routes.remove(requireNonNull(key, "key"));
    return old == null ? null : old.upstream().uri();
  }

  public @Nullable URI get(String key) {
    Target.Sandbox t = routes.get(requireNonNull(key, "key"));
    return t == null ? null : t.upstream().uri();
  }

  /** A sorted copy of the table. */
  public Map<String, URI> snapshot() {
    Map<String, URI> out = new TreeMap<>();
    routes.forEach((k, v) -> out.put(k, v.upstream().uri()));
    return out;
  }

  Target.@Nullable Sandbox lookup(String key) {
    return routes.get(key);
  }

  static String validKey(String key) {
    requireNonNull(key, "key");
    if (key.isBlank()) {
      throw new IllegalArgumentException("routing key must not be blank");
    }
    return key;
  }
}
