package dev.tapline.core.endpoint;

import dev.tapline.core.Request;
import java.util.List;

/**
 * One link of the endpoint-identity chain ({@link Endpoints}): a rule that knows the endpoints of
 * some requests. Links are tried in order and the first that answers wins; the heuristic {@link
 * PathTemplater} closes every chain and knows every request.
 *
 * <p>To add a way of recognising endpoints (a spec format, a protocol such as GraphQL that carries
 * the operation in the body), implement this and put it in the chain before the heuristic:
 *
 * <pre>{@code
 * Endpoints endpoints = Endpoints.of(myResolver, EndpointResolver.openApi(spec));
 * }</pre>
 */
@FunctionalInterface
public interface EndpointResolver {
  /**
   * The endpoints {@code request} calls: usually one; several for a request that carries several
   * operations (a batch); empty when this link does not know the request, so the next one decides.
   * Called on hot paths (the recorder's ingest): a link that does not apply must say so cheaply.
   */
  List<Resolution> resolve(String service, Request request);

  /** The paths and operations of an OpenAPI document: its {@code servers} path is the base path. */
  static EndpointResolver openApi(OpenApiSpec spec) {
    return spec::resolve;
  }
}
