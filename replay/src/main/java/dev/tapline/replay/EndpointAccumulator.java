package dev.tapline.replay;

import dev.tapline.replay.Comparison.Noise;
import dev.tapline.replay.DriftReport.Difference;
import dev.tapline.replay.DriftReport.EndpointReport;
import dev.tapline.replay.DriftReport.EndpointVerdict;
import dev.tapline.replay.DriftReport.Ignored;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Collects one endpoint's comparisons. Noise is learned over all of the endpoint's exchanges before
 * any difference is judged: a path that was noisy in one exchange is noise in every other.
 */
final class EndpointAccumulator {
  private static final int MAX_ERRORS = 5;

  private final String method;
  private final String template;
  private final String operation;
  private int exchanges;
  private int failed;
  private final List<String> errors = new ArrayList<>();
  private final Map<String, Noise> noise = new HashMap<>();
  // First occurrence per path and kind: whether it is noise depends on those two only, so later
  // occurrences add nothing and memory stays bounded by the number of distinct paths.
  private final Map<String, Map.Entry<String, RawDiff>> diffs = new LinkedHashMap<>();
  private final Map<String, Ignored> unstable = new LinkedHashMap<>();

  EndpointAccumulator(String method, String template) {
    this(method, template, "");
  }

  /** @param operation the GraphQL operation ({@code query GetUser}), {@code ""} for a REST endpoint */
  EndpointAccumulator(String method, String template, String operation) {
    this.method = method;
    this.template = template;
    this.operation = operation;
  }

  synchronized void add(String exchangeId, Comparison c) {
    exchanges++;
    if (c.unstable() != null) {
      unstable.putIfAbsent(c.unstable(), new Ignored("status", c.unstable() + " (exchange " + exchangeId + ")"));
      return;
    }
    c.noise().forEach((path, n) -> noise.merge(path, n, Noise::stronger));
    for (RawDiff d : c.diffs()) {
      diffs.putIfAbsent(d.path() + '\u0000' + d.kind(), Map.entry(exchangeId, d));
    }
  }

  synchronized void failed(String exchangeId, String reason) {
    exchanges++;
    failed++;
    if (errors.size() < MAX_ERRORS) {
      errors.add(exchangeId + ": " + (reason == null || reason.isBlank() ? "failed without a message" : reason));
    }
  }

  synchronized EndpointReport finish(List<IgnoreRule> rules) {
    Map<String, Difference> kept = new LinkedHashMap<>();
    Map<String, Ignored> ignored = new TreeMap<>();
    noise.forEach((path, n) -> ignored.put(path, new Ignored(path, n.reason())));
    for (Map.Entry<String, RawDiff> e : diffs.values()) {
      RawDiff d = e.getValue();
      String reason = ignoreReason(d, rules);
      if (reason != null) {
        ignored.putIfAbsent(d.path(), new Ignored(d.path(), reason));
      } else {
        kept.putIfAbsent(d.path() + '\u0000' + d.kind(), new Difference(d.path(), d.kind(), d.kind().driftClass(),
            d.baseline(), d.sandbox(), e.getKey(), d.message()));
      }
    }
    List<Difference> sorted = new ArrayList<>(kept.values());
    sorted.sort(Comparator.comparing(Difference::driftClass).thenComparing(Difference::path)
        .thenComparing(d -> d.kind().wireName()));
    List<Ignored> ign = new ArrayList<>(ignored.values());
    ign.addAll(unstable.values());
    EndpointVerdict verdict;
    if (exchanges > 0 && failed == exchanges) {
      verdict = EndpointVerdict.ERROR;
    } else if (sorted.stream().anyMatch(d -> d.driftClass() == DriftClass.BREAKING)) {
      verdict = EndpointVerdict.BREAKING;
    } else if (!sorted.isEmpty()) {
      verdict = EndpointVerdict.COMPATIBLE;
    } else {
      verdict = EndpointVerdict.OK;
    }
    return new EndpointReport(method, template, operation, exchanges, verdict, sorted, ign, errors);
  }

  private @Nullable String ignoreReason(RawDiff d, List<IgnoreRule> rules) {
    if (d.kind() == DiffKind.REORDERED) {
      return "same items in a different order";
    }
    for (IgnoreRule r : rules) {
      if (r.matches(method, template, d.path())) {
        return "ignored by --ignore " + r;
      }
    }
    for (String p = d.path(); p != null; p = parent(p)) {
      Noise n = noise.get(p);
      if (n != null && n.exact() && !p.equals(d.path())) {
        continue; // a list's length varied: that covers the length, not its items
      }
      if (n != null && (n.shape() || d.kind().valueLevel())) {
        return p.equals(d.path()) ? n.reason() : n.reason() + " (at " + p + ")";
      }
    }
    return null;
  }

  /** {@code $.a.b} → {@code $.a}, {@code $.a[*]} → {@code $.a}, {@code $} → null. */
  static @Nullable String parent(String path) {
    if (path.endsWith("]")) {
      int open = path.endsWith("']") ? path.lastIndexOf("['") : path.lastIndexOf('[');
      return open > 0 ? path.substring(0, open) : null;
    }
    int dot = path.lastIndexOf('.');
    if (dot > 0 && path.startsWith("$")) {
      return path.substring(0, dot);
    }
    return null;
  }
}
