package dev.tapline.core.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A recorder's {@code /api/export} stand-in for reader tests: a real JDK HTTP server on loopback. */
public final class FakeRecorderExport {
  private FakeRecorderExport() {}

  /**
   * Serves {@code ndjson} under {@code context}, chunked and flushed line by line, and records each
   * request's raw path and query in {@code asked}. Stop the returned server when done.
   */
  public static HttpServer start(String context, String ndjson, List<String> asked) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
    server.createContext(context, ex -> {
      String query = ex.getRequestURI().getRawQuery();
      asked.add(ex.getRequestURI().getRawPath() + (query == null ? "" : "?" + query));
      ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
      ex.sendResponseHeaders(200, 0);
      try (OutputStream out = ex.getResponseBody()) {
        for (String line : ndjson.split("\n")) {
          out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      }
    });
    server.start();
    return server;
  }
}
