package dev.tapline.replay;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Header;
import dev.tapline.core.Headers;
import dev.tapline.core.Ids;
import dev.tapline.core.Redactor;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Records real exchanges the way the capture proxy would: each call is made with java.net.http
 * against a running service, and request + response become an {@link Exchange}, redacted with the
 * default rules (so the recorded bearer token is {@code [REDACTED]}).
 */
final class Recording {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI target;
  private final List<Exchange> exchanges = new ArrayList<>();

  Recording(URI target) {
    this.target = target;
  }

  /** Sends a call and records it; returns the response body. */
  String call(String method, String pathAndQuery, @Nullable String jsonBody) throws IOException, InterruptedException {
    List<Header> reqHeaders = new ArrayList<>(List.of(
        new Header("Host", target.getAuthority()),
        new Header("Accept", "application/json"),
        new Header("Authorization", "Bearer recorded-secret"),
        new Header("baggage", "sd-routing-key=recorded-key,tenant=acme")));
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + pathAndQuery))
        .header("Accept", "application/json")
        .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(jsonBody));
    if (jsonBody != null) {
      b.header("Content-Type", "application/json");
      reqHeaders.add(new Header("Content-Type", "application/json"));
    }
    long start = Ids.nowMicros();
    HttpResponse<byte[]> resp = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    List<Header> respHeaders = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : resp.headers().map().entrySet()) {
      for (String v : e.getValue()) {
        respHeaders.add(new Header(e.getKey(), v));
      }
    }
    String ct = resp.headers().firstValue("Content-Type").orElse(null);
    int q = pathAndQuery.indexOf('?');
    Request req = new Request(method, "http", target.getAuthority(), q < 0 ? pathAndQuery : pathAndQuery.substring(0, q),
        q < 0 ? null : pathAndQuery.substring(q + 1), new Headers(reqHeaders),
        jsonBody == null ? Body.empty() : Body.text("application/json", jsonBody));
    Exchange e = new Exchange(Ids.newId(), start, Ids.nowMicros() - start, "orders", "test-recorder", null,
        Exchange.BASELINE, null, null, req, new Response(resp.statusCode(), new Headers(respHeaders), Body.of(ct, resp.body())),
        null, List.of());
    exchanges.add(Redactor.defaults().redact(e));
    return new String(resp.body(), StandardCharsets.UTF_8);
  }

  List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  static Path writeNdjson(List<Exchange> exchanges, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      for (Exchange e : exchanges) {
        ExchangeCodec.write(e, out);
        out.write('\n');
      }
    }
    return file;
  }
}
