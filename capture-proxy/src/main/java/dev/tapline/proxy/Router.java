package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.RoutingKeys;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Picks each request's {@link Target}: the request's routing key (the first configured header or
 * baggage entry that carries one) looked up in the live {@link RouteTable}, whose {@link Route}
 * gives the target of the first rule that takes the request, else its own; no key, or a key
 * without a route, goes to the baseline. Called on the event loops; the table is safe to change
 * from any thread meanwhile.
 */
final class Router {
  private final RoutingKeys keys;
  private final RouteTable routes;
  private final Target.Baseline baseline;

  Router(RoutingKeys keys, RouteTable routes) {
    this.keys = requireNonNull(keys, "keys");
    this.routes = requireNonNull(routes, "routes");
    this.baseline = new Target.Baseline(null, routes.baseline());
  }

  Target route(HttpRequest request) {
    String key = keys.extract(request.headers()::getAll);
    if (key == null) {
      return baseline;
    }
    Route route = routes.lookup(key);
    // An unknown key still goes into the capture, marked as baseline traffic.
    return route != null ? route.target(request) : new Target.Baseline(key, baseline.upstream());
  }
}
