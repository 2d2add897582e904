package dev.tapline.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.http.ErrorCode;
import dev.tapline.core.http.HttpResponses;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** {@code GET /api/drift/runs} (newest first, without endpoints) and {@code /api/drift/runs/{runId}}. */
final class DriftApi implements HttpHandler {
  private static final String PREFIX = "/api/drift/runs";

  private final @Nullable DriftRuns runs;
  private final String topic;

  DriftApi(@Nullable DriftRuns runs, String topic) {
    this.runs = runs;
    this.topic = topic;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      if (!ex.getRequestMethod().equals("GET")) {
        HttpResponses.methodNotAllowed(ex, "GET");
        return;
      }
      String path = ex.getRequestURI().getRawPath();
      if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
        ObjectNode out = ExchangeCodec.mapper().createObjectNode();
        out.put("enabled", runs != null);
        out.put("topic", topic);
        var list = out.putArray("runs");
        if (runs != null) {
          runs.summaries().forEach(list::add);
        }
        HttpResponses.json(ex, 200, out);
      } else if (path.startsWith(PREFIX + "/")) {
        String id = URLDecoder.decode(path.substring(PREFIX.length() + 1), StandardCharsets.UTF_8);
        Optional<ObjectNode> run = runs == null ? Optional.empty() : runs.run(id);
        if (run.isPresent()) {
          HttpResponses.json(ex, 200, run.get());
        } else {
          HttpResponses.error(ex, 404, ErrorCode.NOT_FOUND,
              "drift run not found: no run " + id + " among the runs read from topic " + topic + " (only the newest are kept)");
        }
      } else {
        HttpResponses.error(ex, 404, ErrorCode.NOT_FOUND, "no drift resource at " + path + "; try " + PREFIX);
      }
    } finally {
      ex.close();
    }
  }
}
