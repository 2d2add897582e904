package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The live routing table of a running proxy: routing key → {@link RouteSpec} (a sandbox upstream,
 * an override, per method and path rules). Changes take effect for the next request; requests in
 * flight keep the target they started with. Safe to use from any thread (the admin server's {@code
 * PUT/DELETE /routes/{key}} call these methods).
 *
 * <p>A routing key is 1 to {@value #MAX_KEY_LENGTH} characters of {@code A-Z a-z 0-9} and
 * {@value #KEY_PUNCTUATION} (no spaces, no control characters), and the table holds at most {@link
 * ProxyConfig#maxRoutes()} keys: a key travels in headers and shows in logs and captures, and an
 * admin client must not grow the table without bound.
 */
public final class RouteTable {
  /** The longest routing key. */
  public static final int MAX_KEY_LENGTH = 128;
  /** The characters besides letters and digits a routing key may have. */
  public static final String KEY_PUNCTUATION = "._~:@!$&'()*+,;=-";

  private static final boolean[] KEY_CHARS = new boolean[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      KEY_CHARS[c] = true;
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      KEY_CHARS[c] = true;
      KEY_CHARS[Character.toLowerCase(c)] = true;
    }
    for (char c : KEY_PUNCTUATION.toCharArray()) {
      KEY_CHARS[c] = true;
    }
  }

  // The targets are built when a route is set, so that routing a request allocates none.
  private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
  private final Upstream baseline;
  private final int maxRoutes;
  private final boolean recorder;

  /**
   * @param baseline the upstream of routes that name none
   * @param recorder whether the proxy reads a recorder, which mocks of recorded exchanges need
   */
  RouteTable(Upstream baseline, Map<String, RouteSpec> initial, int maxRoutes, boolean recorder) {
    this.baseline = baseline;
    this.maxRoutes = maxRoutes;
    this.recorder = recorder;
    initial.forEach(this::put);
  }

  RouteTable(Upstream baseline, Map<String, RouteSpec> initial, int maxRoutes) {
    this(baseline, initial, maxRoutes, false);
  }

  /** Thrown by {@link #put} for a new key when the table already holds {@link ProxyConfig#maxRoutes()} keys. */
  public static final class FullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    FullException(String message) {
      super(message);
    }
  }

  /**
   * Routes {@code key} to the sandbox {@code upstream} ({@code http(s)://host:port}) and nothing
   * else, replacing any previous route.
   *
   * @return the previous route, or null
   * @throws IllegalArgumentException as {@link #put(String, RouteSpec)}
   * @throws FullException when {@code key} is new and the table is full
   */
  public @Nullable RouteSpec put(String key, URI upstream) {
    return put(key, RouteSpec.to(requireNonNull(upstream, "upstream")));
  }

  /**
   * Sets the route of {@code key}, replacing any previous one; requests in flight keep the target
   * they started with.
   *
   * @return the previous route, or null
   * @throws IllegalArgumentException when the key is not a valid routing key ({@link #validKey}), a
   *     host cannot be resolved, or a mock of a recorded exchange has no recorder to read
   * @throws FullException when {@code key} is new and the table is full
   */
  public @Nullable RouteSpec put(String key, RouteSpec route) {
    String k = validKey(key);
    Route built = Route.build(k, requireNonNull(route, "route"), baseline, recorder);
    // Writes are rare (admin calls): one lock keeps the cap exact; lookups never take it.
    synchronized (this) {
      if (!routes.containsKey(k) && routes.size() >= maxRoutes) {
        throw new FullException("the route table is full: it holds " + maxRoutes + " routes, the most this proxy"
            + " takes (maxRoutes, --max-routes); remove one (DELETE /routes/{key}) or raise the cap");
      }
      Route old = routes.put(k, built);
      return old == null ? null : old.spec;
    }
  }

  /** Removes the route for {@code key}; returns the route it had, or null when there was none. */
  public @Nullable RouteSpec remove(String key) {
    synchronized (this) {
      Route old = routes.remove(requireNonNull(key, "key"));
      return old == null ? null : old.spec;
    }
  }

  /** The route of {@code key}, or null. */
  public @Nullable RouteSpec get(String key) {
    Route r = routes.get(requireNonNull(key, "key"));
    return r == null ? null : r.spec;
  }

  /** How many routes the table holds. */
  public int size() {
    return routes.size();
  }

  /** How many routes the table may hold. */
  public int maxRoutes() {
    return maxRoutes;
  }

  /** A sorted copy of the table. */
  public Map<String, RouteSpec> snapshot() {
    Map<String, RouteSpec> out = new TreeMap<>();
    routes.forEach((k, v) -> out.put(k, v.spec));
    return out;
  }

  @Nullable Route lookup(String key) {
    return routes.get(key);
  }

  Upstream baseline() {
    return baseline;
  }

  /**
   * Returns {@code key} when it is a valid routing key: 1 to {@value #MAX_KEY_LENGTH} characters of
   * {@code A-Z a-z 0-9} and {@value #KEY_PUNCTUATION}.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static String validKey(String key) {
    requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("routing key must not be empty");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException("routing key must be at most " + MAX_KEY_LENGTH + " characters, got "
          + key.length() + ": \"" + key.substring(0, 32) + "...\"");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c >= 128 || !KEY_CHARS[c]) {
        throw new IllegalArgumentException("routing key may only have A-Z a-z 0-9 and " + KEY_PUNCTUATION
            + " (no spaces or control characters), got " + describe(c) + " at index " + i + " of \""
            + printable(key) + "\"");
      }
    }
    return key;
  }

  private static String describe(char c) {
    return c > 32 && c < 127 ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  /** The key with anything unprintable shown as {@code ?}, for an error message. */
  private static String printable(String key) {
    StringBuilder b = new StringBuilder(key.length());
    key.chars().forEach(c -> b.append(c > 32 && c < 127 ? (char) c : '?'));
    return b.toString();
  }
}
