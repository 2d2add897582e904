package dev.tapline.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the client's lines ahead of the SDK's stdio transport. A line that is not a JSON-RPC
 * message gets a parse error and the session goes on (the SDK's reader would stop at it, leaving
 * the process running with nobody reading stdin); the end of input is seen here, whatever the SDK
 * does, so {@code tapline mcp} exits when its client goes away.
 */
final class StdioLines {
  private static final Logger LOG = LoggerFactory.getLogger(StdioLines.class);
  private static final int PIPE_BYTES = 1 << 20;

  private final BufferedReader client;
  private final OutputStream out;
  private final McpJsonMapper json;
  private final PipedOutputStream toSdk;
  private final InputStream sdkIn;
  private final CountDownLatch ended = new CountDownLatch(1);

  StdioLines(InputStream in, OutputStream out, McpJsonMapper json) throws IOException {
    this.client = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    this.out = out;
    this.json = json;
    PipedInputStream pipe = new PipedInputStream(PIPE_BYTES);
    this.toSdk = new PipedOutputStream(pipe);
    this.sdkIn = pipe;
  }

  /** What the SDK's transport reads: the client's well-formed messages, one per line. */
  InputStream sdkInput() {
    return sdkIn;
  }

  /** Counted down when the client's input ends. */
  CountDownLatch ended() {
    return ended;
  }

  void start() {
    Thread t = new Thread(this::pump, "tapline-mcp-stdin");
    t.setDaemon(true);
    t.start();
  }

  private void pump() {
    try {
      for (String line; (line = client.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        if (wellFormed(line)) {
          toSdk.write((line + "\n").getBytes(StandardCharsets.UTF_8));
          toSdk.flush();
        }
      }
    } catch (IOException e) {
      LOG.debug("stdin closed: {}", e.toString());
    } finally {
      try {
        toSdk.close();
      } catch (IOException ignored) {
        // the SDK's side is gone already
      }
      ended.countDown();
    }
  }

  private boolean wellFormed(String line) throws IOException {
    try {
      McpSchema.deserializeJsonRpcMessage(json, line);
      return true;
    } catch (IOException | RuntimeException e) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("jsonrpc", McpSchema.JSONRPC_VERSION);
      error.put("id", null);
      error.put("error", Map.of("code", McpSchema.ErrorCodes.PARSE_ERROR,
          "message", "not a JSON-RPC message (one per line): " + Text.line(String.valueOf(e.getMessage()), 200)));
      byte[] bytes = (json.writeValueAsString(error) + "\n").getBytes(StandardCharsets.UTF_8);
      synchronized (out) { // the SDK writes its messages under the same lock
        out.write(bytes);
        out.flush();
      }
      return false;
    }
  }
}
