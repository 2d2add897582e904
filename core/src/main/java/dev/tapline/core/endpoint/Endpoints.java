package dev.tapline.core.endpoint;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Exchange;
import dev.tapline.core.Request;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The one endpoint-identity chain every stage uses: the recorder indexes what it says, the catalog,
 * testgen, replay, the UI and {@code tapline spec} read the same. Its links ({@link
 * EndpointResolver}) are tried in order and the first that knows a request wins; the heuristic
 * {@link PathTemplater} always comes last, so every request has an endpoint.
 *
 * <pre>{@code
 * Endpoints endpoints = Endpoints.defaults();                            // GraphQL, then the heuristic
 * Endpoints withSpec = Endpoints.withSpec(OpenApiSpec.load(file));       // the spec first
 * EndpointKey key = withSpec.resolve(exchange).key();                   // GET /pets/{petId}
 * }</pre>
 */
public final class Endpoints {
  private static final Endpoints HEURISTIC = new Endpoints(List.of());
  private static final Endpoints DEFAULTS = new Endpoints(List.of(GraphqlResolver.defaults()));

  private final List<EndpointResolver> links;

  private Endpoints(List<EndpointResolver> links) {
    this.links = links;
  }

  /** Only the heuristic templater. */
  public static Endpoints heuristic() {
    return HEURISTIC;
  }

  /**
   * What every stage uses when told nothing else: GraphQL operations on {@code /graphql} and paths
   * ending with it ({@link GraphqlResolver#defaults()}), then the heuristic templater.
   */
  public static Endpoints defaults() {
    return DEFAULTS;
  }

  /** These links in order, then the heuristic templater. */
  public static Endpoints of(EndpointResolver... links) {
    return of(List.of(links));
  }

  public static Endpoints of(List<EndpointResolver> links) {
    return links.isEmpty() ? HEURISTIC : new Endpoints(List.copyOf(links));
  }

  /** The spec's operations (when a spec is given), then GraphQL operations, then the heuristic templater. */
  public static Endpoints withSpec(@Nullable OpenApiSpec spec) {
    return withSpec(spec, GraphqlResolver.defaults());
  }

  /** The spec's operations (when a spec is given), then {@code graphql}'s, then the heuristic templater. */
  public static Endpoints withSpec(@Nullable OpenApiSpec spec, GraphqlResolver graphql) {
    requireNonNull(graphql, "graphql");
    if (spec == null) {
      return graphql == GraphqlResolver.defaults() ? DEFAULTS : of(graphql);
    }
    return of(EndpointResolver.openApi(spec), graphql);
  }

  /** The GraphQL link of this chain, or null when it has none. */
  public @Nullable GraphqlResolver graphql() {
    for (EndpointResolver link : links) {
      if (link instanceof GraphqlResolver g) {
        return g;
      }
    }
    return null;
  }

  /** A chain with {@code first} tried before these links. */
  public Endpoints prepend(EndpointResolver first) {
    List<EndpointResolver> l = new ArrayList<>(links.size() + 1);
    l.add(requireNonNull(first, "first"));
    l.addAll(links);
    return new Endpoints(List.copyOf(l));
  }

  /** Every endpoint the request calls (usually one; never empty). */
  public List<Resolution> resolveAll(String service, Request request) {
    for (EndpointResolver link : links) {
      List<Resolution> r = link.resolve(service, request);
      if (!r.isEmpty()) {
        return r;
      }
    }
    return PathTemplater.INSTANCE.resolve(service, request);
  }

  /** The (first) endpoint the request calls. */
  public Resolution resolve(String service, Request request) {
    return resolveAll(service, request).get(0);
  }

  /** The (first) endpoint of the exchange's request. */
  public Resolution resolve(Exchange e) {
    return resolve(e.service(), e.request());
  }

  /**
   * The endpoint a bare path belongs to when the method does not matter (a {@code Location} header):
   * the first link's answer for a {@code GET}, else the heuristic's.
   */
  public EndpointKey keyOfPath(String service, String path) {
    Request r = new Request("GET", "http", "", path, null, dev.tapline.core.Headers.empty(), dev.tapline.core.Body.empty());
    return resolve(service, r).key();
  }

  /** The links before the heuristic, for diagnostics. */
  public int links() {
    return links.size();
  }

  @Override
  public String toString() {
    return "Endpoints" + links + "+heuristic";
  }
}
