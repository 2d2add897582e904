package dev.tapline.core;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One captured request/response pair: the record every Tapline stage shares. It is the Kafka
 * payload, the Lucene source document, the generator's input and the replay's baseline.
 *
 * <pre>{@code
 * Exchange e = ...;
 * byte[] wire = ExchangeCodec.encode(e);
 * Exchange back = ExchangeCodec.decode(wire);   // equal to e
 * }</pre>
 *
 * @param id time-ordered unique id (UUIDv7) assigned by the proxy; the recorder's idempotency key
 * @param startedAt when the request's first byte arrived, epoch microseconds
 * @param service logical name of the upstream service
 * @param proxy the capturing proxy instance
 * @param routingKey the sandbox routing key the request carried, or null for baseline traffic
 * @param target what answered: {@code baseline}, {@code sandbox:<key>}, or one of a route's rules: {@code
 *     override:<url>} (a developer's process), {@code mock} or {@code fault} (an override that fell back
 *     names its fallback)
 * @param response null when there was no response; then {@code error} says why
 * @param redactions what was redacted, by location and name only (never values), e.g. {@code
 *     request.header:authorization}, {@code response.body:$.password}
 */
public record Exchange(
    String id,
    long startedAt,
    long durationMicros,
    String service,
    String proxy,
    @Nullable String routingKey,
    String target,
    @Nullable String traceparent,
    @Nullable String baggage,
    Request request,
    @Nullable Response response,
    @Nullable ExchangeError error,
    List<String> redactions) {

  /** The wire schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  public static final String BASELINE = "baseline";

  public Exchange {
    requireNonNull(id, "id");
    requireNonNull(service, "service");
    requireNonNull(proxy, "proxy");
    requireNonNull(target, "target");
    requireNonNull(request, "request");
    redactions = List.copyOf(requireNonNull(redactions, "redactions"));
    if (response == null && error == null) {
      throw new IllegalArgumentException("an exchange needs a response or an error (id " + id + ")");
    }
  }

  public static String sandboxTarget(String routingKey) {
    return "sandbox:" + routingKey;
  }

  /** The Kafka record key: {@code service|routingKey} keeps one sandbox's traffic in one partition. */
  public String partitionKey() {
    return service + "|" + (routingKey == null ? "" : routingKey);
  }

  /** The response status, or 0 when there was no response. */
  public int status() {
    return response == null ? 0 : response.status();
  }

  public Exchange withRequest(Request r) {
    return new Exchange(id, startedAt, durationMicros, service, proxy, routingKey, target,
        traceparent, baggage, r, response, error, redactions);
  }
}
