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
    ResponseDiff.Parsed b1 = ResponseDiff.Parsed.of(baseline1);
    ResponseDiff.Parsed b2 = ResponseDiff.Parsed.of(baseline2);
    if (b1.status() != b2.status()) {
      return new Comparison(List.of(), Map.of(),
          "the baseline answered " + b1.status() + " and then " + b2.status() + " to the same request");
    }
    Map<String, Noise> noise = new HashMap<>();
    for (RawDiff d : ResponseDiff.diff(b1, b2)) {
      noise.merge(d.path(), new Noise(!d.kind().valueLevel(), BASELINES_DIFFER, JsonDiff.isItemCount(d)), Noise::stronger);
    }
    Response rec = recorded.response();
    if (rec != null && rec.status() == b1.status() && !rec.body().truncated()) {
      // Only value differences count: the recorded response may come from another version.
      for (RawDiff d : ResponseDiff.diff(b1, ResponseDiff.Parsed.of(rec))) {
        if (d.kind().valueLevel()) {
          noise.putIfAbsent(d.path(), new Noise(false, RECORDED_DIFFERS, JsonDiff.isItemCount(d)));
        }
      }
    }
    return new Comparison(ResponseDiff.diff(b1, ResponseDiff.Parsed.of(sandbox)), noise, null);
  }
}
