package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Header;
import dev.tapline.core.Origin;
import dev.tapline.core.endpoint.Endpoints;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a replay runs. Immutable; build with {@link #builder()}, change with {@link #toBuilder()}.
 *
 * @param targets where baseline and sandbox requests go
 * @param failOn the lowest difference class that makes the verdict {@code drift}
 * @param concurrency exchanges in flight at once (each sends three requests)
 * @param rate requests per second over both targets, 0 for no limit
 * @param headers sent with every request, replacing recorded headers of the same name (credentials)
 * @param methods the request methods that are replayed, upper case
 * @param ignores paths left out of the comparison
 * @param timeout per request
 * @param endpoints how requests are grouped into endpoints in the report (core's chain: an OpenAPI
 *     document when given, GraphQL operations, then the heuristic templater), the same as the recorder's
 * @param origins whose recorded requests are replayed: live traffic only by default, never
 *     Tapline's own replay, test or verify requests unless asked
 * @param auth how each side logs in ({@link ReplayAuth}); by default not at all
 */
public record ReplayOptions(
    Targets targets,
    FailOn failOn,
    int concurrency,
    double rate,
    List<Header> headers,
    Set<String> methods,
    List<IgnoreRule> ignores,
    Duration timeout,
    Endpoints endpoints,
    Set<Origin> origins,
    ReplayAuth auth) {

  /** Safe methods only by default: the baseline is shared, and replay must not change its data. */
  public static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  public static final int DEFAULT_CONCURRENCY = 8;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public ReplayOptions {
    requireNonNull(targets, "targets");
    requireNonNull(failOn, "failOn");
    if (concurrency < 1 || concurrency > 1024) {
      throw new IllegalArgumentException("concurrency must be from 1 to 1024: " + concurrency);
    }
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate must be zero (no limit) or a positive number of requests per second: " + rate);
    }
    headers = List.copyOf(requireNonNull(headers, "headers"));
    Set<String> m = new LinkedHashSet<>();
    for (String s : requireNonNull(methods, "methods")) {
      String u = s.trim().toUpperCase(Locale.ROOT);
      if (u.isEmpty() || !u.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
        throw new IllegalArgumentException("not an HTTP method: \"" + s + "\"");
      }
      m.add(u);
    }
    if (m.isEmpty()) {
      throw new IllegalArgumentException("methods must name at least one HTTP method");
    }
    methods = Set.copyOf(m);
    ignores = List.copyOf(requireNonNull(ignores, "ignores"));
    requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    requireNonNull(endpoints, "endpoints");
    origins = Set.copyOf(requireNonNull(origins, "origins"));
    requireNonNull(auth, "auth");
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.targets = targets;
    b.failOn = failOn;
    b.concurrency = concurrency;
    b.rate = rate;
    b.headers.addAll(headers);
    b.methods = methods;
    b.ignores.addAll(ignores);
    b.timeout = timeout;
    b.endpoints = endpoints;
    b.origins = origins;
    b.auth = auth;
    return b;
  }

  /** Builds {@link ReplayOptions}; only the targets are required. */
  public static final class Builder {
    private @Nullable Targets targets;
    private FailOn failOn = FailOn.BREAKING;
    private int concurrency = DEFAULT_CONCURRENCY;
    private double rate;
    private final List<Header> headers = new ArrayList<>();
    private Set<String> methods = SAFE_METHODS;
    private final List<IgnoreRule> ignores = new ArrayList<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private Endpoints endpoints = Endpoints.defaults();
    private Set<Origin> origins = Origin.DEFAULT;
    private ReplayAuth auth = ReplayAuth.none();

    private Builder() {}

    public Builder targets(Targets t) {
      this.targets = requireNonNull(t, "targets");
      return this;
    }

    /** Two URLs: {@code --baseline URL --sandbox URL}. */
    public Builder baselineAndSandbox(URI baseline, URI sandbox) {
      return targets(new Targets.TwoUrls(baseline, sandbox));
    }

    /** One URL for both sides, the sandbox selected by the routing key. */
    public Builder target(URI target, String routingKey) {
      return targets(new Targets.Routed(target, routingKey));
    }

    public Builder failOn(FailOn f) {
      this.failOn = requireNonNull(f, "failOn");
      return this;
    }

    public Builder concurrency(int n) {
      this.concurrency = n;
      return this;
    }

    public Builder rate(double requestsPerSecond) {
      this.rate = requestsPerSecond;
      return this;
    }

    public Builder addHeader(String name, String value) {
      headers.add(new Header(name, value));
      return this;
    }

    public Builder methods(Set<String> m) {
      this.methods = requireNonNull(m, "methods");
      return this;
    }

    public Builder addIgnore(IgnoreRule rule) {
      ignores.add(requireNonNull(rule, "rule"));
      return this;
    }

    public Builder addIgnore(String spec) {
      return addIgnore(IgnoreRule.parse(spec));
    }

    public Builder timeout(Duration d) {
      this.timeout = requireNonNull(d, "timeout");
      return this;
    }

    /** The endpoint chain (default: {@link Endpoints#defaults()}, GraphQL operations then the heuristic). */
    public Builder endpoints(Endpoints e) {
      this.endpoints = requireNonNull(e, "endpoints");
      return this;
    }

    /** Whose recorded requests to replay (default: live traffic only). */
    public Builder origins(Set<Origin> o) {
      this.origins = requireNonNull(o, "origins");
      return this;
    }

    /** How each side logs in (default: not at all; credentials only from {@link #addHeader}). */
    public Builder auth(ReplayAuth a) {
      this.auth = requireNonNull(a, "auth");
      return this;
    }

    public ReplayOptions build() {
      if (targets == null) {
        throw new IllegalArgumentException("targets are required: --baseline and --sandbox, or --target and --routing-key");
      }
      return new ReplayOptions(targets, failOn, concurrency, rate, headers, methods, ignores, timeout, endpoints, origins,
          auth);
    }
  }
}
