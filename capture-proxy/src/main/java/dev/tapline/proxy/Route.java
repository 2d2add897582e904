package dev.tapline.proxy;

import dev.tapline.core.endpoint.PathGlob;
import io.netty.handler.codec.http.HttpRequest;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One route of the {@link RouteTable}, compiled when it is set: its rules with their path patterns
 * and targets, and the target of the requests no rule takes. A route without rules answers {@link
 * #target} with one field read, allocating nothing: the proxy's common path.
 */
final class Route {
  final RouteSpec spec;
  /** The target of requests no rule takes: the route's override, else its normal target. */
  private final Target whole;
  private final Rule[] rules;

  private record Rule(@Nullable String method, Pattern path, double share, Target target) {
    boolean matches(String m, String p) {
      // A GET rule takes HEAD too, as servers answer HEAD like GET.
      return (method == null || method.equals(m) || (m.equals("HEAD") && method.equals("GET")))
          && path.matcher(p).matches()
          && (share >= 1 || ThreadLocalRandom.current().nextDouble() < share);
    }
  }

  private Route(RouteSpec spec, Target whole, Rule[] rules) {
    this.spec = spec;
    this.whole = whole;
    this.rules = rules;
  }

  /**
   * Builds the targets of {@code spec} for routing key {@code key}.
   *
   * @param baseline the normal target's upstream when the route names none
   * @param recorder whether mocks of recorded exchanges can be answered (the proxy knows a recorder)
   * @throws IllegalArgumentException when a host cannot be resolved, or a recorded mock has no recorder
   */
  static Route build(String key, RouteSpec spec, Upstream baseline, boolean recorder) {
    Target.Forward normal = spec.upstream() == null
        ? new Target.Baseline(key, baseline)
        : new Target.Sandbox(key, Upstream.of(spec.upstream()));
    Target whole = spec.override() == null ? normal : overriding(key, spec.override(), normal);
    List<RouteSpec.Rule> rs = spec.rules();
    Rule[] rules = new Rule[rs.size()];
    for (int i = 0; i < rules.length; i++) {
      RouteSpec.Rule r = rs.get(i);
      double share = 1;
      Target t = switch (r.action()) {
        case RouteSpec.Override o -> overriding(key, o, normal);
        case RouteSpec.Mock m -> new Target.Mock(key, new MockAnswer.Given(CannedResponse.of(m)));
        case RouteSpec.Recorded rec -> {
          if (!recorder) {
            throw new IllegalArgumentException("rules[" + i + "]: a mock of a recorded exchange needs the proxy to know"
                + " the recorder: start it with --recorder URL (tapline up does this itself)");
          }
          yield new Target.Mock(key, new MockAnswer.Recorded(rec));
        }
        case RouteSpec.Fault f -> {
          share = f.share();
          yield new Target.Fault(key, f.status() == 0 ? null : CannedResponse.error(f.status(), "fault",
              "answered by a fault rule of route " + key + " (" + r.path() + ")"), f.delayMs(), f.reset(), normal);
        }
      };
      rules[i] = new Rule(r.method(), PathGlob.compile(r.path()), share, t);
    }
    return new Route(spec, whole, rules);
  }

  private static Target.Overriding overriding(String key, RouteSpec.Override o, Target.Forward normal) {
    BitSet except = new BitSet(600);
    o.exceptStatus().forEach(except::set);
    return new Target.Overriding(key, Upstream.of(o.url()), except, normal);
  }

  /** The target of {@code request}: the first rule that takes it, else the route's own. */
  Target target(HttpRequest request) {
    Rule[] rs = rules;
    if (rs.length == 0) {
      return whole;
    }
    String method = request.method().name();
    String uri = request.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    for (Rule r : rs) {
      if (r.matches(method, path)) {
        return r.target();
      }
    }
    return whole;
  }
}
