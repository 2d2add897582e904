package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.RoutingKeys;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which target each request gets, and what its capture records about it. */
class RouterTest {
  static final URI BASELINE = URI.create("http://127.0.0.1:8081");
  static final URI SANDBOX = URI.create("http://127.0.0.1:8082");

  final RouteTable routes = new RouteTable(Upstream.of(BASELINE), Map.of("pr-7", RouteSpec.to(SANDBOX)),
      ProxyConfig.DEFAULT_MAX_ROUTES);
  final Router router = new Router(RoutingKeys.defaults(), routes);

  static HttpRequest request(String... headers) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/orders/1");
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }

  @Test
  void sendsARequestWithoutARoutingKeyToTheBaselineWithoutBuildingATarget() {
    Target t = router.route(request());
    assertThat(t).isEqualTo(new Target.Baseline(null, Upstream.of(BASELINE)));
    assertThat(t.label()).isEqualTo("baseline");
    assertThat(t.metric()).isEqualTo(ProxyMetrics.TargetTag.BASELINE);
    assertThat(router.route(request())).isSameAs(t);
  }

  @Test
  void sendsAKnownKeyToItsSandboxWithTheTargetBuiltWhenTheRouteWasSet() {
    Target t = router.route(request("x-routing-key", "pr-7"));
    assertThat(t).isEqualTo(new Target.Sandbox("pr-7", Upstream.of(SANDBOX)));
    assertThat(t.label()).isEqualTo("sandbox:pr-7");
    assertThat(t.metric()).isEqualTo(ProxyMetrics.TargetTag.SANDBOX);
    assertThat(router.route(request("baggage", "sd-routing-key=pr-7"))).isSameAs(t);
  }

  @Test
  void sendsAnUnknownKeyToTheBaselineAndKeepsTheKeyForTheCapture() {
    Target t = router.route(request("x-routing-key", "nobody"));
    assertThat(t).isEqualTo(new Target.Baseline("nobody", Upstream.of(BASELINE)));
    assertThat(t.label()).isEqualTo("baseline");
  }

  @Test
  void followsTheRouteTableFromTheNextRequestOn() {
    routes.put("pr-8", SANDBOX);
    assertThat(router.route(request("x-routing-key", "pr-8"))).isInstanceOf(Target.Sandbox.class);
    routes.remove("pr-8");
    assertThat(router.route(request("x-routing-key", "pr-8"))).isInstanceOf(Target.Baseline.class);
  }

  @Test
  void givesARouteWithoutRulesItsOneTargetWithoutAllocating() {
    Route route = routes.lookup("pr-7");
    HttpRequest req = request("x-routing-key", "pr-7");
    Target t = route.target(req);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 20_000; i++) {
      route.target(req); // warm up
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 100_000; i++) {
      if (route.target(req) != t) {
        throw new AssertionError("another target");
      }
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    // The measuring itself may allocate a little; a per-request allocation would be megabytes.
    assertThat(allocated).isLessThan(10_000);
  }

  @Test
  void takesTheFirstRuleWhoseMethodAndPathMatchThenTheRoutesOverrideThenItsUpstream() {
    URI dev = URI.create("http://127.0.0.1:8000");
    routes.put("pr-9", new RouteSpec(SANDBOX, new RouteSpec.Override(dev), List.of(
        new RouteSpec.Rule("post", "/orders/{id}", new RouteSpec.Fault(503, 0, false, 1)),
        new RouteSpec.Rule(null, "/orders/**", new RouteSpec.Mock(200, Map.of(), "{}")),
        new RouteSpec.Rule(null, "/items/*", new RouteSpec.Override(dev, Set.of(404))))));
    HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/orders/7?x=1");
    post.headers().add("x-routing-key", "pr-9");
    assertThat(router.route(post)).isInstanceOf(Target.Fault.class);
    HttpRequest get = request("x-routing-key", "pr-9"); // GET /orders/1
    Target mock = router.route(get);
    assertThat(mock).isInstanceOf(Target.Mock.class);
    assertThat(mock.label()).isEqualTo("mock");
    assertThat(mock.routingKey()).isEqualTo("pr-9");

    HttpRequest items = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/items/3");
    items.headers().add("x-routing-key", "pr-9");
    Target.Overriding rule = (Target.Overriding) router.route(items);
    assertThat(rule.keeps(200, null)).isTrue();
    assertThat(rule.keeps(404, "true")).isFalse();
    assertThat(rule.fallback()).isEqualTo(new Target.Sandbox("pr-9", Upstream.of(SANDBOX)));

    HttpRequest other = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/items/3/parts");
    other.headers().add("x-routing-key", "pr-9");
    Target.Overriding whole = (Target.Overriding) router.route(other);
    assertThat(whole.label()).isEqualTo("override:" + dev);
    assertThat(whole.metric()).isEqualTo(ProxyMetrics.TargetTag.OVERRIDE);
    assertThat(whole.keeps(200, "TRUE")).isTrue();
    assertThat(whole.keeps(200, null)).isFalse();
  }

  @Test
  void givesARouteWithoutUpstreamTheBaselineAsItsNormalTarget() {
    routes.put("only-rules", new RouteSpec(null, null, List.of(
        new RouteSpec.Rule(null, "/x", new RouteSpec.Fault(0, 10, false, 1)))));
    Target t = router.route(request("x-routing-key", "only-rules"));
    assertThat(t).isEqualTo(new Target.Baseline("only-rules", Upstream.of(BASELINE)));
  }
}
