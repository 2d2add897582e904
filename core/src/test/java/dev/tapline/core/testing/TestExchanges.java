package dev.tapline.core.testing;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Headers;
import dev.tapline.core.Ids;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import java.util.List;

/** Realistic sample exchanges for tests. */
public final class TestExchanges {
  private TestExchanges() {}

  public static Exchange getOrder(long orderId, int status) {
    String body = status == 200
        ? "{\"id\":" + orderId + ",\"status\":\"NEW\",\"total\":12.5,\"createdAt\":\"2026-11-26T10:00:00Z\"}"
        : "{\"error\":\"not_found\",\"detail\":\"order " + orderId + " does not exist\"}";
    return exchange("GET", "/orders/" + orderId, null, Body.empty(), status, Body.text("application/json", body), null);
  }

  public static Exchange exchange(String method, String path, String routingKey, Body requestBody,
      int status, Body responseBody, String query) {
    return new Exchange(
        Ids.newId(),
        Ids.nowMicros(),
        1234,
        "orders",
        "test-proxy",
        routingKey,
        routingKey == null ? Exchange.BASELINE : Exchange.sandboxTarget(routingKey),
        null,
        routingKey == null ? null : "sd-routing-key=" + routingKey,
        new Request(method, "http", "localhost:8080", path, query,
            Headers.of("Host", "localhost:8080", "Accept", "application/json"), requestBody),
        new Response(status, Headers.of("Content-Type", "application/json"), responseBody),
        null,
        List.of());
  }
}
