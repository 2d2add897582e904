package dev.tapline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class OrdersServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(URI base, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void baselineServesTheOrderLifecycle() throws Exception {
    try (OrdersService s = OrdersService.start(OrdersService.Version.V1, 0)) {
      var created = send(s.baseUri(), "POST", "/orders", "{\"customer\":\"ann\",\"items\":[{\"sku\":\"A-1\",\"quantity\":2,\"price\":9.99}]}");
      assertThat(created.statusCode()).isEqualTo(201);
      JsonNode order = JSON.readTree(created.body());
      String id = order.get("id").asText();
      assertThat(created.headers().firstValue("Location")).hasValue("/orders/" + id);
      assertThat(order.get("customer").asText()).isEqualTo("ann");
      assertThat(order.get("total").isNumber()).isTrue();
      assertThat(order.get("total").decimalValue()).isEqualByComparingTo("19.98");

      assertThat(send(s.baseUri(), "GET", "/orders/" + id, null).statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(send(s.baseUri(), "GET", "/orders?page=0&size=5", null).body()).get("total").asInt()).isEqualTo(1);
      assertThat(send(s.baseUri(), "PATCH", "/orders/" + id, "{\"status\":\"CANCELLED\"}").statusCode()).isEqualTo(200);
      assertThat(send(s.baseUri(), "PATCH", "/orders/" + id, "{\"status\":\"PAID\"}").statusCode()).isEqualTo(409);
      assertThat(send(s.baseUri(), "PATCH", "/orders/" + id, "{\"status\":\"LOST\"}").statusCode()).isEqualTo(400);
      assertThat(send(s.baseUri(), "DELETE", "/orders/" + id, null).statusCode()).isEqualTo(204);
      var gone = send(s.baseUri(), "GET", "/orders/" + id, null);
      assertThat(gone.statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(gone.body()).get("error").asText()).isEqualTo("not_found");
      assertThat(send(s.baseUri(), "POST", "/orders", "{not json").statusCode()).isEqualTo(400);
      assertThat(send(s.baseUri(), "PUT", "/orders", "{}").statusCode()).isEqualTo(405);
    }
  }

  @Test
  void sandboxChangesTheContract() throws Exception {
    try (OrdersService s = OrdersService.start(OrdersService.Version.V2, 0)) {
      var created = send(s.baseUri(), "POST", "/orders", "{\"customer\":\"ann\",\"items\":[{\"sku\":\"A-1\",\"quantity\":2,\"price\":9.99}]}");
      JsonNode order = JSON.readTree(created.body());
      assertThat(order.has("customer")).isFalse();
      assertThat(order.get("customerName").asText()).isEqualTo("ann");
      assertThat(order.get("total").asText()).isEqualTo("19.98");
      assertThat(order.get("total").isTextual()).isTrue();
      assertThat(order.get("currency").asText()).isEqualTo("EUR");
    }
  }

  @Test
  void demoTrafficDrivesAMixOfCallsAndErrors() {
    try (OrdersService s = OrdersService.start(OrdersService.Version.V1, 0)) {
      DemoTraffic.Result r = DemoTraffic.run(s.baseUri(), null, 200);
      assertThat(r.requests()).isEqualTo(200);
      assertThat(r.failures()).isZero();
      assertThat(r.byStatus()).containsKeys(200, 201, 404);
      assertThat(r.byStatus().keySet()).anyMatch(st -> st == 400 || st == 409);
      assertThat(r.byCall()).containsKeys("create", "get", "list", "update");
    }
  }
}
