package dev.tapline.examples;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Drives a varied, realistic mix of calls against the orders API: creates, reads, lists, updates,
 * deletes and a few errors (unknown ids, invalid bodies, conflicting updates). Sends the routing key
 * as W3C baggage when one is given, and a bearer token so redaction can be seen at work.
 *
 * <pre>{@code
 * DemoTraffic.Result r = DemoTraffic.run(URI.create("http://127.0.0.1:8080"), "demo-v2", 100);
 * }</pre>
 */
public final class DemoTraffic {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] CUSTOMERS = {"ann", "bob", "chandra", "dmitri", "eve", "fatima", "gus", "hiro"};
  private static final String[] SKUS = {"A-1", "B-7", "C-42", "D-3", "E-19"};
  private static final double[] PRICES = {9.99, 4.5, 120.0, 0.99, 15.25};

  /** What was sent and how it went: counts by call kind and by status. */
  public record Result(int requests, Map<Integer, Integer> byStatus, Map<String, Integer> byCall, int failures) {
    public String summary() {
      return requests + " requests, statuses " + byStatus + (failures > 0 ? ", " + failures + " failed to connect" : "");
    }
  }

  private final URI target;
  private final @Nullable String routingKey;
  private final HttpClient client;
  private final Random random;
  private final List<String> live = new ArrayList<>();
  private final Map<Integer, Integer> byStatus = new TreeMap<>();
  private final Map<String, Integer> byCall = new TreeMap<>();
  private int failures;
  private int sent;

  private DemoTraffic(URI target, @Nullable String routingKey, long seed) {
    this.target = target;
    this.routingKey = routingKey;
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    this.random = new Random(seed);
  }

  public static Result run(URI target, @Nullable String routingKey, int requests) {
    return run(target, routingKey, requests, 42L, n -> {});
  }

  /**
   * @param progress called with the number of requests sent so far
   */
  public static Result run(URI target, @Nullable String routingKey, int requests, long seed, IntConsumer progress) {
    requireNonNull(target, "target");
    if (requests < 1) {
      throw new IllegalArgumentException("requests must be positive: " + requests);
    }
    DemoTraffic t = new DemoTraffic(target, routingKey, seed);
    try (HttpClient client = t.client) {
      while (t.sent < requests) {
        t.step(requests - t.sent);
        progress.accept(t.sent);
      }
    }
    return new Result(t.sent, Map.copyOf(t.byStatus), Map.copyOf(t.byCall), t.failures);
  }

  private void step(int budget) {
    int roll = random.nextInt(100);
    if (live.isEmpty() || roll < 25) {
      create();
    } else if (roll < 50) {
      call("get", "GET", "/orders/" + pick(), null);
    } else if (roll < 62) {
      call("list", "GET", "/orders?page=" + random.nextInt(2) + "&size=" + (5 + random.nextInt(3) * 5), null);
    } else if (roll < 75) {
      String status = new String[] {"PAID", "SHIPPED", "CANCELLED"}[random.nextInt(3)];
      call("update", "PATCH", "/orders/" + pick(), "{\"status\":\"" + status + "\"}");
    } else if (roll < 83 && budget > 1) {
      String id = live.remove(random.nextInt(live.size()));
      call("delete", "DELETE", "/orders/" + id, null);
      call("get-deleted", "GET", "/orders/" + id, null);
    } else if (roll < 89) {
      call("get-unknown", "GET", "/orders/" + UUID.randomUUID(), null);
    } else if (roll < 95) {
      call("create-invalid", "POST", "/orders", "{\"customer\":\"\",\"items\":[]}");
    } else {
      call("update-invalid", "PATCH", "/orders/" + pick(), "{\"status\":\"LOST\"}");
    }
  }

  private void create() {
    StringBuilder items = new StringBuilder();
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      int s = random.nextInt(SKUS.length);
      if (i > 0) {
        items.append(',');
      }
      items.append("{\"sku\":\"").append(SKUS[s]).append("\",\"quantity\":").append(1 + random.nextInt(4))
          .append(",\"price\":").append(PRICES[s]).append('}');
    }
    String body = "{\"customer\":\"" + CUSTOMERS[random.nextInt(CUSTOMERS.length)] + "\",\"items\":[" + items + "]}";
    JsonNode created = call("create", "POST", "/orders", body);
    if (created != null && created.hasNonNull("id")) {
      live.add(created.get("id").asText());
    }
  }

  private String pick() {
    return live.get(random.nextInt(live.size()));
  }

  private @Nullable JsonNode call(String kind, String method, String pathAndQuery, @Nullable String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve(pathAndQuery))
        .timeout(Duration.ofSeconds(10))
        .header("Accept", "application/json")
        .header("Authorization", "Bearer demo-secret-token")
        .header("User-Agent", "tapline-demo-traffic");
    if (routingKey != null) {
      b.header("baggage", "sd-routing-key=" + routingKey);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    sent++;
    byCall.merge(kind, 1, Integer::sum);
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      byStatus.merge(r.statusCode(), 1, Integer::sum);
      if (r.body() == null || r.body().isEmpty()) {
        return null;
      }
      try {
        return JSON.readTree(r.body());
      } catch (IOException e) {
        return null;
      }
    } catch (IOException e) {
      failures++;
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
