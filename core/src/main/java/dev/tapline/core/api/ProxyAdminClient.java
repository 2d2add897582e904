package dev.tapline.core.api;

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
 * The one client of a capture proxy's admin API (its routes: {@code GET /routes}, {@code GET|PUT|DELETE
 * /routes/{key}}, docs/API.md), used by {@code tapline route} and the MCP route tools. Requests go
 * out as given and answers come back as status and body, whatever the proxy says, so each caller
 * shows the proxy's own errors.
 *
 * <pre>{@code
 * ProxyAdminClient admin = new ProxyAdminClient(URI.create("http://127.0.0.1:8079"), token);
 * ProxyAdminClient.Answer a = admin.put("pr-42", "{\"override\": \"http://127.0.0.1:8000\"}");
 * if (!a.ok()) System.err.println(a.status() + " " + a.body());
 * }</pre>
 */
public final class ProxyAdminClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI base;
  private final @Nullable String token;
  private final HttpClient client;

  /** An answer of the admin API. */
  public record Answer(int status, String body) {
    public boolean ok() {
      return status / 100 == 2;
    }
  }

  /**
   * @param base {@code http://host:port} of the admin port
   * @param token its bearer token, or null when it needs none
   */
  public ProxyAdminClient(URI base, @Nullable String token) {
    String s = requireNonNull(base, "base").toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    this.base = URI.create(s);
    this.token = token == null || token.isBlank() ? null : token.strip();
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
  }

  public URI base() {
    return base;
  }

  /** {@code GET /routes}: every route. */
  public Answer routes() throws IOException {
    return send(request("/routes").GET().build());
  }

  /** {@code GET /routes/{key}}: one route, or a 404. */
  public Answer route(String key) throws IOException {
    return send(request(routePath(key)).GET().build());
  }

  /** {@code PUT /routes/{key}} with the route as JSON. */
  public Answer put(String key, String json) throws IOException {
    return send(request(routePath(key)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  /** {@code DELETE /routes/{key}}: 204, or a 404 when there was no route. */
  public Answer delete(String key) throws IOException {
    return send(request(routePath(key)).DELETE().build());
  }

  private static String routePath(String key) {
    return "/routes/" + URLEncoder.encode(requireNonNull(key, "key"), StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /**
   * @throws IOException saying in one line that the admin API at {@link #base()} cannot be reached,
   *     and why
   */
  private Answer send(HttpRequest request) throws IOException {
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Answer(r.statusCode(), r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling the proxy's admin API at " + base, e);
    } catch (IOException e) {
      String why = e instanceof ConnectException ? "connection refused" : e.getMessage() == null ? e.toString() : e.getMessage();
      throw new IOException("cannot reach the proxy's admin API at " + base + " (" + why + ")", e);
    }
  }

  @Override
  public String toString() {
    return "ProxyAdminClient[" + base + "]";
  }
}
