package dev.tapline.testgen;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Headers;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Builds exchanges with fixed, ordered ids for tests: a tiny hand-written recording. */
final class Traffic {
  private final List<Exchange> exchanges = new ArrayList<>();
  private final String service;
  private long clock = 1_700_000_000_000_000L;
  private int seq;

  Traffic(String service) {
    this.service = service;
  }

  Traffic add(String method, String uri, @Nullable String requestJson, int status, @Nullable String responseJson) {
    return add(method, uri, "application/json", requestJson, status, "application/json", responseJson);
  }

  Traffic add(String method, String uri, @Nullable String requestType, @Nullable String requestBody, int status,
      @Nullable String responseType, @Nullable String responseBody) {
    seq++;
    clock += 1_000;
    String path = uri;
    String query = null;
    int q = uri.indexOf('?');
    if (q >= 0) {
      path = uri.substring(0, q);
      query = uri.substring(q + 1);
    }
    Body req = requestBody == null ? Body.empty() : Body.text(requestType, requestBody);
    Headers reqHeaders = requestBody == null ? Headers.of("Authorization", "[REDACTED]")
        : Headers.of("Content-Type", requestType, "Authorization", "[REDACTED]");
    Body resp = responseBody == null ? Body.empty() : Body.text(responseType, responseBody);
    Headers respHeaders = responseBody == null ? Headers.empty() : Headers.of("Content-Type", responseType);
    exchanges.add(new Exchange(String.format("ex-%04d", seq), clock, 1200, service, "proxy-1", null, "baseline",
        null, null, new Request(method, "http", "orders.local", path, query, reqHeaders, req),
        new Response(status, respHeaders, resp), null, List.of("request.header:authorization")));
    return this;
  }

  List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  /** A small orders API conversation with flows, errors and noise. */
  static List<Exchange> orders() {
    Traffic t = new Traffic("orders");
    String[] ids = {"3f1c9a1e-0000-4000-8000-000000000001", "3f1c9a1e-0000-4000-8000-000000000002",
        "3f1c9a1e-0000-4000-8000-000000000003"};
    String[] customers = {"ann", "bob", "cy"};
    for (int i = 0; i < 3; i++) {
      String created = "2026-11-26T10:0" + i + ":00.123456Z";
      String order = "{\"id\":\"" + ids[i] + "\",\"customer\":\"" + customers[i]
          + "\",\"items\":[{\"sku\":\"A-1\",\"quantity\":2,\"price\":9.99}],\"total\":19.98,\"status\":\"NEW\","
          + "\"createdAt\":\"" + created + "\",\"updatedAt\":\"" + created + "\",\"note\":" + (i == 1 ? "\"gift\"" : "null") + "}";
      t.add("POST", "/orders", "{\"customer\":\"" + customers[i] + "\",\"items\":[{\"sku\":\"A-1\",\"quantity\":2,\"price\":9.99}]}",
          201, order);
      t.add("GET", "/orders/" + ids[i], null, 200, order);
    }
    String paid = "{\"id\":\"" + ids[0] + "\",\"customer\":\"ann\",\"items\":[{\"sku\":\"A-1\",\"quantity\":2,\"price\":9.99}],"
        + "\"total\":19.98,\"status\":\"PAID\",\"createdAt\":\"2026-11-26T10:00:00.123456Z\",\"updatedAt\":\"2026-11-26T10:05:00Z\",\"note\":null}";
    t.add("PATCH", "/orders/" + ids[0], "{\"status\":\"PAID\"}", 200, paid);
    t.add("PATCH", "/orders/" + ids[0], "{\"status\":\"NEW\"}", 409,
        "{\"error\":\"conflict\",\"message\":\"cannot go from PAID to NEW\"}");
    t.add("GET", "/orders?page=0&size=20", null, 200,
        "{\"items\":[],\"page\":0,\"size\":20,\"total\":3}");
    t.add("GET", "/orders?page=1&size=20", null, 200,
        "{\"items\":[],\"page\":1,\"size\":20,\"total\":3}");
    t.add("GET", "/orders/7d1c9a1e-0000-4000-8000-00000000dead", null, 404,
        "{\"error\":\"not_found\",\"message\":\"no such order\"}");
    t.add("GET", "/orders/7d1c9a1e-0000-4000-8000-00000000beef", null, 404,
        "{\"error\":\"not_found\",\"message\":\"no such order\"}");
    t.add("POST", "/orders", "{\"customer\":\"\",\"items\":[]}", 400,
        "{\"error\":\"validation\",\"message\":\"customer must not be blank\"}");
    t.add("DELETE", "/orders/" + ids[2], null, 204, null);
    return t.exchanges();
  }
}
