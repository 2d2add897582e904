package dev.tapline.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.ExchangeReader;
import dev.tapline.core.api.QueryTerms;
import dev.tapline.core.api.RecorderClient;
import dev.tapline.core.http.ErrorCode;
import dev.tapline.core.http.HttpResponses;
import dev.tapline.testgen.GenerationResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /api/generate} with {@code {"service","method","template","routingKey"?}}, the template
 * as the catalog lists it: streams the service's exchanges (every endpoint of it, so a test can
 * create what it needs through the recorded create requests) from the recorder's own export API,
 * through core's {@link RecorderClient} with the token, and runs testgen in-process for that one
 * endpoint. Answers {@code {"endpoint","exchanges":N,"files":[{"path","content"}]}}, or a zip of the
 * files with {@code ?format=zip}.
 */
final class GenerateApi implements HttpHandler {
  /** testgen, seen from here: a service's exchanges in, one endpoint's files out. */
  interface Generator {
    GenerationResult generate(ExchangeReader exchanges, String service, String method, String template);
  }

  private final @Nullable String token;
  private final Generator generator;

  GenerateApi(@Nullable String token, Generator generator) {
    this.token = token;
    this.generator = generator;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      if (!ex.getRequestMethod().equals("POST")) {
        HttpResponses.methodNotAllowed(ex, "POST");
        return;
      }
      byte[] body = HttpResponses.body(ex, 64 * 1024);
      JsonNode req;
      try {
        req = body == null ? null : ExchangeCodec.mapper().readTree(body);
      } catch (IOException e) {
        req = null;
      }
      if (req == null || !req.isObject()) {
        HttpResponses.error(ex, 400, ErrorCode.BAD_REQUEST,
            "POST a JSON object {\"service\",\"method\",\"template\",\"routingKey\"?} of at most 64 KiB");
        return;
      }
      String service = req.path("service").asText("");
      String method = req.path("method").asText("");
      String template = req.path("template").asText("");
      String routingKey = req.path("routingKey").isTextual() ? req.path("routingKey").asText() : null;
      if (service.isEmpty() || method.isEmpty() || template.isEmpty()) {
        HttpResponses.error(ex, 400, ErrorCode.BAD_REQUEST, "service, method and template are required; got " + req);
        return;
      }
      String q = term("service", service)
          + (routingKey == null || routingKey.isEmpty() ? "" : " AND " + term("routingKey", routingKey));
      GenerationResult result;
      try (RecorderClient recorder = RecorderClient.builder(localUrl(ex)).token(token).build();
          ExchangeReader exchanges = recorder.export(q)) {
        result = generator.generate(exchanges, service, method, template);
      } catch (IOException | UncheckedIOException e) {
        HttpResponses.error(ex, 502, ErrorCode.BAD_GATEWAY, "cannot read exchanges: export from the recorder failed: "
            + e.getMessage());
        return;
      } catch (RuntimeException e) {
        HttpResponses.error(ex, 500, ErrorCode.INTERNAL_ERROR, "test generation failed for " + method + " " + template
            + ": " + e.getMessage());
        return;
      }
      long exchanges = result.endpoints().stream()
          .filter(e -> e.method().equalsIgnoreCase(method) && e.pathTemplate().equals(template))
          .mapToLong(GenerationResult.EndpointSummary::exchanges).sum();
      if (exchanges == 0) {
        HttpResponses.error(ex, 404, ErrorCode.NOT_FOUND, "no exchanges: nothing recorded for " + method + " "
            + template + " among " + q);
        return;
      }
      Map<String, String> files = result.files();
      String query = ex.getRequestURI().getQuery();
      if (query != null && query.contains("format=zip")) {
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"tapline-tests.zip\"");
        HttpResponses.send(ex, 200, "application/zip", zip(files), true);
        return;
      }
      ObjectNode out = ExchangeCodec.mapper().createObjectNode();
      out.put("endpoint", method + " " + template);
      out.put("exchanges", exchanges);
      var arr = out.putArray("files");
      files.forEach((path, content) -> arr.addObject().put("path", path).put("content", content));
      HttpResponses.json(ex, 200, out);
    } finally {
      ex.close();
    }
  }

  static String term(String field, String value) {
    return field + ":" + QueryTerms.quoted(value);
  }

  /** This very server, over loopback. */
  private static String localUrl(HttpExchange ex) {
    InetSocketAddress local = ex.getLocalAddress();
    String host = local.getAddress().isAnyLocalAddress() ? "127.0.0.1" : local.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + local.getPort();
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
