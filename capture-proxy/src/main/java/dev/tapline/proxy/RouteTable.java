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
  private final ConcurrentHashMap<String, Target.Sandbox> routes = new ConcurrentHashMap<>();
  private final int maxRoutes;

  RouteTable(Map<String, URI> initial, int maxRoutes) {
    this.maxRoutes = maxRoutes;
    initial.forEach(this::put);
  }

  /** Thrown by {@link #put} for a new key when the table already holds {@link ProxyConfig#maxRoutes()} keys. */
  public static final class FullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    FullException(String message) {
      super(message);
    }
  }

  /**
   * Routes {@code key} to {@code upstream} ({@code http(s)://host:port}), replacing any previous route.
   *
   * @return the previous upstream, or null
   * @throws IllegalArgumentException when the key is not a valid routing key ({@link #validKey}),
   *     the URI is not {@code http(s)://host[:port]} or its host cannot be resolved
   * @throws FullException when {@code key} is new and the table is full
   */
  public @Nullable URI put(String key, URI upstream) {
    String k = validKey(key);
    Upstream u = Upstream.of(requireNonNull(upstream, "upstream"));
    Target.Sandbox target = new Target.Sandbox(k, u);
    // Writes are rare (admin calls): one lock keeps the cap exact; lookups never take it.
    synchronized (this) {
      if (!routes.containsKey(k) && routes.size() >= maxRoutes) {
        throw new FullException("the route table is full: it holds " + maxRoutes + " routes, the most this proxy"
            + " takes (maxRoutes, --max-routes); remove one (DELETE /routes/{key}) or raise the cap");
      }
      Target.Sandbox old = routes.put(k, target);
      return old == null ? null : old.upstream().uri();
    }
  }

  /** Removes the route for {@code key}; returns the upstream it had, or null when there was none. */
  public @Nullable URI remove(String key) {
    synchronized (this) {
      Target.Sandbox old = routes.remove(requireNonNull(key, "key"));
      return old == null ? null : old.upstream().uri();
    }
  }

  public @Nullable URI get(String key) {
    Target.Sandbox t = routes.get(requireNonNull(key, "key"));
    return t == null ? null : t.upstream().uri();
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
  public Map<String, URI> snapshot() {
    Map<String, URI> out = new TreeMap<>();
    routes.forEach((k, v) -> out.put(k, v.upstream().uri()));
    return out;
  }

  Target.@Nullable Sandbox lookup(String key) {
    return routes.get(key);
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
