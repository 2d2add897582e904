package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.RoutingKeys;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which target each request gets, and what its capture records about it. */
class RouterTest {
  static final URI BASELINE = URI.create("http://127.0.0.1:8081");
  static final URI SANDBOX = URI.create("http://127.0.0.1:8082");

  final RouteTable routes = new RouteTable(Map.of("pr-7", SANDBOX), ProxyConfig.DEFAULT_MAX_ROUTES);
  final Router router = new Router(RoutingKeys.defaults(), routes, Upstream.of(BASELINE));

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
}
