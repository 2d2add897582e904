/**
 * Endpoint identity, in one place for every stage: {@link dev.tapline.core.endpoint.EndpointKey}
 * (service, method, base path, template, and for GraphQL the operation) and the {@link
 * dev.tapline.core.endpoint.Endpoints} chain of {@link dev.tapline.core.endpoint.EndpointResolver}
 * links (an OpenAPI document when given, GraphQL operations ({@link
 * dev.tapline.core.endpoint.GraphqlResolver}), then the heuristic {@link
 * dev.tapline.core.endpoint.PathTemplater}).
 */
@NullMarked
package dev.tapline.core.endpoint;

import org.jspecify.annotations.NullMarked;
