package dev.tapline.mcp;

import com.sun.net.httpserver.HttpExchange;
import dev.tapline.core.http.ErrorCode;
import dev.tapline.core.http.HttpResponses;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * MCP's streamable HTTP transport in its stateless form, on the JDK's {@code HttpServer} behind
 * core's {@code HttpEdge} (the SDK's own HTTP transports are servlets, and every Tapline server is a
 * JDK one). Each {@code POST /mcp} carries one JSON-RPC message: a request is answered with its JSON
 * response, a notification or response with {@code 202}. There is no session and no server-sent
 * stream, so {@code GET} is {@code 405}, which the protocol allows; the tools need neither.
 */
final class HttpTransport implements McpStatelessServerTransport {
  static final String PATH = "/mcp";
  /** The largest JSON-RPC message read; tool arguments are small. */
  static final int MAX_MESSAGE = 1 << 20;

  private final McpJsonMapper json;
  private volatile @Nullable McpStatelessServerHandler handler;
  private volatile boolean closing;

  HttpTransport(McpJsonMapper json) {
    this.json = json;
  }

  @Override
  public void setMcpHandler(McpStatelessServerHandler handler) {
    this.handler = handler;
  }

  @Override
  public Mono<Void> closeGracefully() {
    return Mono.fromRunnable(() -> closing = true);
  }

  void handle(HttpExchange ex) throws IOException {
    if (!ex.getRequestURI().getRawPath().equals(PATH)) {
      HttpResponses.notFound(ex);
      return;
    }
    if (!ex.getRequestMethod().equals("POST")) {
      // No server-initiated stream (GET) and no session to end (DELETE) in the stateless transport.
      HttpResponses.methodNotAllowed(ex, "POST");
      return;
    }
    McpStatelessServerHandler h = handler;
    if (closing || h == null) {
      HttpResponses.error(ex, 503, ErrorCode.UNAVAILABLE, "the MCP server is shutting down");
      return;
    }
    String version = ex.getRequestHeaders().getFirst(HttpHeaders.PROTOCOL_VERSION);
    if (version != null && !protocolVersions().contains(version)) {
      rpcError(ex, 400, McpSchema.ErrorCodes.INVALID_REQUEST, "unsupported MCP-Protocol-Version " + version
          + "; this server speaks " + String.join(", ", protocolVersions()));
      return;
    }
    byte[] body = HttpResponses.body(ex, MAX_MESSAGE);
    if (body == null) {
      HttpResponses.error(ex, 413, ErrorCode.PAYLOAD_TOO_LARGE, "a message over " + MAX_MESSAGE + " bytes");
      return;
    }
    McpSchema.JSONRPCMessage message;
    try {
      message = McpSchema.deserializeJsonRpcMessage(json, new String(body, StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      rpcError(ex, 400, McpSchema.ErrorCodes.PARSE_ERROR, "not a JSON-RPC message: " + e.getMessage());
      return;
    }
    McpTransportContext context = McpTransportContext.EMPTY;
    switch (message) {
      case McpSchema.JSONRPCRequest request -> {
        McpSchema.JSONRPCResponse response = h.handleRequest(context, request)
            .contextWrite(ctx -> ctx.put(McpTransportContext.KEY, context))
            .block();
        HttpResponses.raw(ex, 200, "application/json", json.writeValueAsBytes(response));
      }
      case McpSchema.JSONRPCNotification notification -> {
        h.handleNotification(context, notification)
            .contextWrite(ctx -> ctx.put(McpTransportContext.KEY, context))
            .block();
        ex.sendResponseHeaders(202, -1);
      }
      default -> ex.sendResponseHeaders(202, -1); // a response to a server request: this server sends none
    }
  }

  /** A JSON-RPC error without a request id (the SDK's response record insists on one). */
  private static void rpcError(HttpExchange ex, int status, int code, String message) throws IOException {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("jsonrpc", McpSchema.JSONRPC_VERSION);
    r.put("id", null);
    r.put("error", Map.of("code", code, "message", message));
    HttpResponses.json(ex, status, r);
  }
}
