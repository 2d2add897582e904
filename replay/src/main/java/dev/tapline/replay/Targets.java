package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/** Where the recorded requests go: two URLs, or one URL and a routing key for the sandbox side. */
public sealed interface Targets {
  /** The URL the baseline requests go to. */
  URI baseline();

  /** The URL the sandbox requests go to. */
  URI sandbox();

  /** The routing key sent with sandbox requests, or null with two URLs. */
  default @org.jspecify.annotations.Nullable String routingKey() {
    return null;
  }

  /** {@code --baseline URL --sandbox URL}. */
  record TwoUrls(URI baseline, URI sandbox) implements Targets {
    public TwoUrls {
      baseline = checkUrl(baseline, "baseline");
      sandbox = checkUrl(sandbox, "sandbox");
    }
  }

  /**
   * {@code --target URL --routing-key K}: both sides through the same URL (a routing proxy or
   * ingress); sandbox requests carry {@code baggage: sd-routing-key=K} and {@code sd-routing-key: K}.
   */
  record Routed(URI target, String key) implements Targets {
    public Routed {
      target = checkUrl(target, "target");
      requireNonNull(key, "key");
      if (key.isBlank()) {
        throw new IllegalArgumentException("routing key must not be blank");
      }
    }

    @Override
    public URI baseline() {
      return target;
    }

    @Override
    public URI sandbox() {
      return target;
    }

    @Override
    public String routingKey() {
      return key;
    }
  }

  private static URI checkUrl(URI u, String name) {
    requireNonNull(u, name);
    String scheme = u.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || u.getHost() == null) {
      throw new IllegalArgumentException(name + " must be an http(s) URL with a host, got \"" + u + "\"");
    }
    return u;
  }
}
