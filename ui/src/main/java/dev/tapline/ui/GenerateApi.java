package dev.tapline.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /api/generate} with {@code {"service","method","template","routingKey"?}}: reads that
 * endpoint's exchanges from the recorder's own export API (over loopback, with the token) and runs
 * testgen in-process. Answers {@code {"files":[{"path","content"}],"exchanges":N}}, or a zip of the
 * files with {@code ?format=zip}.
 */
final class GenerateApi implements HttpHandler {
  /** testgen, seen from here: exchanges of one endpoint in, source files (path → content) out. */
  interface Generator {
    Map<String, String> generate(List<Exchange> exchanges, String service, String method, String template)
        throws Exception;
  }

  static final int MAX_EXCHANGES = 500;

  private final @Nullable String token;
  private final Generator generator;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  GenerateApi(@Nullable String token, Generator generator) {
    this.token = token;
    this.generator = generator;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      if (!ex.getRequestMethod().equals("POST")) {
        Http.methodNotAllowed(ex, "POST");
        return;
      }
      byte[] body = Http.body(ex, 64 * 1024);
      JsonNode req;
      try {
        req = body == null ? null : ExchangeCodec.mapper().readTree(body);
      } catch (IOException e) {
        req = null;
      }
      if (req == null || !req.isObject()) {
        Http.error(ex, 400, "bad generate request",
            "POST a JSON object {\"service\",\"method\",\"template\",\"routingKey\"?} of at most 64 KiB");
        return;
      }
      String service = req.path("service").asText("");
      String method = req.path("method").asText("");
      String template = req.path("template").asText("");
      String routingKey = req.path("routingKey").isTextual() ? req.path("routingKey").asText() : null;
      if (service.isEmpty() || method.isEmpty() || template.isEmpty()) {
        Http.error(ex, 400, "bad generate request", "service, method and template are required; got " + req);
        return;
      }
      String q = term("service", service) + " AND " + term("method", method) + " AND " + term("template", template)
          + (routingKey == null || routingKey.isEmpty() ? "" : " AND " + term("routingKey", routingKey));
      List<Exchange> exchanges;
      try {
        exchanges = export(ex, q);
      } catch (IOException e) {
        Http.error(ex, 502, "cannot read exchanges", "export from the recorder failed: " + e.getMessage());
        return;
      }
      if (exchanges.isEmpty()) {
        Http.error(ex, 404, "no exchanges", "nothing recorded matches " + q);
        return;
      }
      Map<String, String> files;
      try {
        files = generator.generate(exchanges, service, method, template);
      } catch (Exception e) {
        Http.error(ex, 500, "test generation failed", method + " " + template + ": " + e.getMessage());
        return;
      }
      String query = ex.getRequestURI().getQuery();
      if (query != null && query.contains("format=zip")) {
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"tapline-tests.zip\"");
        Http.send(ex, 200, "application/zip", zip(files));
        return;
      }
      ObjectNode out = ExchangeCodec.mapper().createObjectNode();
      out.put("endpoint", method + " " + template);
      out.put("exchanges", exchanges.size());
      var arr = out.putArray("files");
      files.forEach((path, content) -> arr.addObject().put("path", path).put("content", content));
      Http.json(ex, 200, out);
    } finally {
      ex.close();
    }
  }

  static String term(String field, String value) {
    return field + ":\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Reads NDJSON from this very server's {@code /api/export}, newest {@value #MAX_EXCHANGES} at most. */
  private List<Exchange> export(HttpExchange ex, String q) throws IOException {
    InetSocketAddress local = ex.getLocalAddress();
    String host = local.getAddress().isAnyLocalAddress() ? "127.0.0.1" : local.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    URI uri = URI.create("http://" + host + ":" + local.getPort() + "/api/export?q="
        + URLEncoder.encode(q, StandardCharsets.UTF_8));
    HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
    if (token != null) {
      rb.header("Authorization", "Bearer " + token);
    }
    HttpResponse<InputStream> resp;
    try {
      resp = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    List<Exchange> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
      if (resp.statusCode() != 200) {
        throw new IOException("GET " + uri.getPath() + " answered " + resp.statusCode());
      }
      String line;
      while ((line = r.readLine()) != null && out.size() < MAX_EXCHANGES) {
        if (!line.isBlank()) {
          out.add(ExchangeCodec.decode(line));
        }
      }
    }
    return out;
  }

  static byte[] zip(Map<String, String> files) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(buf)) {
      for (var f : files.entrySet()) {
        ZipEntry e = new ZipEntry(f.getKey());
        e.setTime(0); // same input, same bytes
        z.putNextEntry(e);
        z.write(f.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    return buf.toByteArray();
  }
}
