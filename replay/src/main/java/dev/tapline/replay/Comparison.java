package dev.tapline.replay;

import dev.tapline.core.Exchange;
import dev.tapline.core.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One exchange's comparison: the baseline-vs-sandbox differences, and the noise its samples showed
 * (the two baseline responses, and the recorded response as a third sample).
 *
 * @param unstable why the exchange could not be compared although both sides answered, else null
 */
record Comparison(List<RawDiff> diffs, Map<String, Noise> noise, @Nullable String unstable) {

  static final String BASELINES_DIFFER = "differs between baseline responses";
  static final String RECORDED_DIFFERS = "differs from the recorded response";

  /**
   * A path whose value (or, with {@code shape}, also its type or presence) is not stable, and the
   * evidence. With {@code exact} it covers the path itself only, not what is below it: a list whose
   * length varies (other traffic adds items) says nothing about its items' fields, which are
   * learned one by one ({@code $.items[*].updatedAt}), so a value change inside a list is still
   * reported.
   */
  record Noise(boolean shape, String reason, boolean exact) {
    Noise(boolean shape, String reason) {
      this(shape, reason, false);
    }

    Noise stronger(Noise other) {
      if (other.shape && !shape) {
        return other;
      }
      return exact && !other.exact && other.shape == shape ? other : this;
    }
  }

  static Comparison compare(Exchange recorded, Response baseline1, Response baseline2, Response sandbox) {
    return compare(recorded, ResponseDiff.Parsed.of(baseline1), ResponseDiff.Parsed.of(baseline2),
        ResponseDiff.Parsed.of(sandbox), false);
  }

  /**
   * One comparison per operation of a GraphQL request, compared as GraphQL responses: for a batch of
   * {@code operations}, item {@code i} of each answer under operation {@code i}.
   */
  static List<Comparison> compareOperations(Exchange recorded, Response baseline1, Response baseline2,
      Response sandbox, int operations) {
    ResponseDiff.Parsed b1 = ResponseDiff.Parsed.of(baseline1);
    ResponseDiff.Parsed b2 = ResponseDiff.Parsed.of(baseline2);
    ResponseDiff.Parsed s = ResponseDiff.Parsed.of(sandbox);
    Response rec = recorded.response();
    ResponseDiff.Parsed r = rec == null || rec.body().truncated() ? null : ResponseDiff.Parsed.of(rec);
    List<Comparison> out = new java.util.ArrayList<>(operations);
    for (int i = 0; i < operations; i++) {
      out.add(compare(recorded, b1.part(i, operations), b2.part(i, operations), s.part(i, operations),
          r == null ? null : r.part(i, operations), true));
    }
    return out;
  }

  private static Comparison compare(Exchange recorded, ResponseDiff.Parsed b1, ResponseDiff.Parsed b2,
      ResponseDiff.Parsed sandbox, boolean graphql) {
    Response rec = recorded.response();
    ResponseDiff.Parsed r = rec == null || rec.body().truncated() ? null : ResponseDiff.Parsed.of(rec);
    return compare(recorded, b1, b2, sandbox, r, graphql);
  }

  private static Comparison compare(Exchange recorded, ResponseDiff.Parsed b1, ResponseDiff.Parsed b2,
      ResponseDiff.Parsed sandbox, ResponseDiff.@Nullable Parsed rec, boolean graphql) {
    if (b1.status() != b2.status()) {
      return new Comparison(List.of(), Map.of(),
          "the baseline answered " + b1.status() + " and then " + b2.status() + " to the same request");
    }
    Map<String, Noise> noise = new HashMap<>();
    for (RawDiff d : ResponseDiff.diff(b1, b2, graphql)) {
      noise.merge(d.path(), new Noise(!d.kind().valueLevel(), BASELINES_DIFFER, JsonDiff.isItemCount(d)), Noise::stronger);
    }
    if (rec != null && rec.status() == b1.status()) {
      // Only value differences count: the recorded response may come from another version.
      for (RawDiff d : ResponseDiff.diff(b1, rec, graphql)) {
        if (d.kind().valueLevel()) {
          noise.putIfAbsent(d.path(), new Noise(false, RECORDED_DIFFERS, JsonDiff.isItemCount(d)));
        }
      }
    }
    if (graphql && (hasExtensions(b1) || hasExtensions(sandbox))) {
      noise.put(GraphqlDiff.EXTENSIONS, new Noise(true, GraphqlDiff.EXTENSIONS_IGNORED));
    }
    return new Comparison(ResponseDiff.diff(b1, sandbox, graphql), noise, null);
  }

  private static boolean hasExtensions(ResponseDiff.Parsed p) {
    return p.json() != null && p.json().isObject() && p.json().has("extensions");
  }
}
