package dev.tapline.mcp;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The capture proxy's admin API ({@code GET /routes}, {@code PUT /routes/{key}}, {@code DELETE
 * /routes/{key}}), as the route tools call it: requests go out as given, answers come back as
 * status and body, whatever the proxy says.
 */
final class AdminClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI base;
  private final @Nullable String token;
  private final HttpClient client;

  /** An answer of the admin API. */
  record Answer(int status, String body) {
    boolean ok() {
      return status / 100 == 2;
    }
  }

  AdminClient(URI base, @Nullable String token) {
    String s = requireNonNull(base, "base").toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    this.base = URI.create(s);
    this.token = token;
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
  }

  URI base() {
    return base;
  }

  Answer routes() {
    return send(request("/routes").GET().build());
  }

  Answer put(String key, String json) {
    return send(request(routePath(key)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  Answer delete(String key) {
    return send(request(routePath(key)).DELETE().build());
  }

  private static String routePath(String key) {
    return "/routes/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private Answer send(HttpRequest request) {
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Answer(r.statusCode(), r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ToolError("Interrupted while calling the proxy's admin API at " + base + ".");
    } catch (IOException e) {
      String why = e instanceof ConnectException ? "connection refused" : e.getMessage() == null ? e.toString() : e.getMessage();
      throw new ToolError("Cannot reach the proxy's admin API at " + base + " (" + why + "). Is the capture proxy"
          + " running with --admin, and is that the URL tapline mcp was given with --admin?");
    }
  }

  @Override
  public String toString() {
    return "AdminClient[" + base + "]";
  }
}
