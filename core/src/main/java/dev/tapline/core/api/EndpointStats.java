package dev.tapline.core.api;

import java.util.Map;

/**
 * One catalog entry: the traffic seen for one service, method and path template, and for a GraphQL
 * request one operation ({@code dev.tapline.core.endpoint.EndpointKey#operation()}).
 *
 * @param operation {@code query GetUser} for a GraphQL operation, {@code ""} for a REST endpoint (an
 *     older recorder sends none)
 * @param firstSeen epoch micros of the oldest matching exchange
 * @param lastSeen epoch micros of the newest matching exchange
 * @param statusCounts how many exchanges ended with each status (0 = no response)
 * @param exampleId the newest exchange of this endpoint
 */
public record EndpointStats(
    String service,
    String method,
    String template,
    String operation,
    long count,
    long firstSeen,
    long lastSeen,
    Map<Integer, Long> statusCounts,
    long p50Micros,
    long p95Micros,
    long p99Micros,
    String exampleId) {
  public EndpointStats {
    operation = operation == null ? "" : operation;
    statusCounts = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(statusCounts));
  }
}
