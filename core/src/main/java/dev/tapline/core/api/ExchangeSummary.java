package dev.tapline.core.api;

import org.jspecify.annotations.Nullable;

/**
 * One line of a search result: what a list view shows, read from the index without loading the
 * stored exchange.
 *
 * @param time when the request started, epoch microseconds
 * @param status the response status, or 0 when there was no response
 * @param requestSize request body size in bytes as sent (before any capture truncation)
 * @param operation the GraphQL operations the request carries ({@code query GetUser}; a batch's joined
 *     by {@code ", "}), {@code ""} for any other request
 */
public record ExchangeSummary(
    String id,
    long time,
    String service,
    @Nullable String routingKey,
    String target,
    String method,
    String path,
    String template,
    int status,
    long durationMicros,
    long requestSize,
    long responseSize,
    String operation) {
  public ExchangeSummary {
    operation = operation == null ? "" : operation;
  }
}
