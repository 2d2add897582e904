package dev.tapline.testgen;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How {@code --verify} runs the generated suite: against {@code target} (the service it was
 * recorded from, base path included), {@code runs} times, with the support class's settings given
 * as system properties ({@code tapline.routingKey}, {@code tapline.headers}); the requests carry
 * {@code tapline-origin: verify}.
 *
 * <pre>{@code
 * VerifyOptions v = VerifyOptions.of(URI.create("http://127.0.0.1:9966/clinic/api"), 2);
 * }</pre>
 */
public record VerifyOptions(URI target, int runs, Map<String, String> properties) {
  public static final int DEFAULT_RUNS = 2;

  public VerifyOptions {
    requireNonNull(target, "target");
    if (runs < 1 || runs > 20) {
      throw new IllegalArgumentException("runs must be from 1 to 20: " + runs);
    }
    Map<String, String> p = new LinkedHashMap<>(requireNonNull(properties, "properties"));
    p.putIfAbsent("tapline.origin", "verify");
    properties = Map.copyOf(p);
  }

  public static VerifyOptions of(URI target, int runs) {
    return new VerifyOptions(target, runs, Map.of());
  }
}
