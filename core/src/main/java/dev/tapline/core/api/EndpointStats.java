package dev.tapline.core.api;

import java.util.Map;

/**
 * One catalog entry: the traffic seen for one service, method and path template.
 *
 * @param firstSeen epoch micros of the oldest matching exchange
 * @param lastSeen epoch micros of the newest matching exchange
 * @param statusCounts how many exchanges ended with each status (0 = no response)
 * @param exampleId the newest exchange of this endpoint
 */
public record EndpointStats(
    String service,
    String method,
    String template,
    long count,
    long firstSeen,
    long lastSeen,
    Map<Integer, Long> statusCounts,
    long p50Micros,
    long p95Micros,
    long p99Micros,
    String exampleId) {
  public EndpointStats {
    statusCounts = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(statusCounts));
  }
}
