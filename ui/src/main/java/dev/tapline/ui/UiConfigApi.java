package dev.tapline.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.http.HttpResponses;
import java.io.IOException;

/** {@code GET /api/ui/config}: what the page needs to know about this installation. */
final class UiConfigApi implements HttpHandler {
  private final UiOptions options;

  UiConfigApi(UiOptions options) {
    this.options = options;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      if (!ex.getRequestMethod().equals("GET")) {
        HttpResponses.methodNotAllowed(ex, "GET");
        return;
      }
      ObjectNode n = ExchangeCodec.mapper().createObjectNode();
      n.put("proxyUrl", options.proxyUrl());
      n.put("tokenRequired", options.token() != null);
      n.put("drift", options.kafka() != null);
      n.put("driftTopic", options.driftTopic());
      n.put("generate", true);
      HttpResponses.json(ex, 200, n);
    } finally {
      ex.close();
    }
  }
}
