package dev.tapline.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.api.ProxyAdminClient;
import dev.tapline.core.api.RecorderClient;
import dev.tapline.core.http.HttpEdge;
import dev.tapline.core.http.HttpResponses;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A Model Context Protocol server over Tapline: a coding agent searches the recorder's traffic,
 * reads one exchange, lists endpoints, generates contract tests, checks drift and, given the
 * proxy's admin URL, changes its routes. Results are sized for a context window (summaries first,
 * details on request) and failures are results the agent can act on, never stack traces.
 *
 * <pre>{@code
 * RecorderClient recorder = RecorderClient.builder("http://127.0.0.1:7070").token(token).build();
 * TaplineMcp mcp = TaplineMcp.builder(recorder).admin(URI.create("http://127.0.0.1:8079"), token).build();
 *
 * try (TaplineMcp.Stdio session = mcp.serveStdio(System.in, System.out)) {  // what `tapline mcp` does
 *   session.awaitInputEnd();
 * }
 * try (TaplineMcp.Http http = mcp.serveHttp("127.0.0.1", 7071, HttpEdge.token(token))) {  // --http
 *   System.err.println("MCP endpoint " + http.uri());
 * }
 * }</pre>
 *
 * <p>Over stdio only protocol messages go to the output stream. Over HTTP the server speaks the
 * stateless streamable HTTP transport on {@code POST /mcp}, behind core's {@link HttpEdge} (Host,
 * Origin and token checks).
 */
public final class TaplineMcp {
  static final String NAME = "tapline";
  static final String INSTRUCTIONS = "Tapline records the HTTP traffic of services through a capture proxy, both the"
      + " baseline and sandboxes (selected by a routing key). Typical loop: list_endpoints or search_traffic to see"
      + " what a service or a sandbox did (routingKey filters one sandbox), get_exchange for one exchange in full,"
      + " generate_tests to turn the traffic into contract tests, and check_drift to replay recorded requests"
      + " against a baseline and a sandbox and see what would break. With the proxy's admin API, list_routes,"
      + " set_route and remove_route point a routing key at a sandbox, and per method and path send its requests"
      + " to a local process first (override), answer them without a service (mock), or inject faults.";

  private final List<ToolSpec> tools;
  private final RecorderClient recorder;
  private final McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());

  private TaplineMcp(Builder b) {
    this.recorder = b.recorder;
    Recorder r = new Recorder(b.recorder);
    List<ToolSpec> all = new ArrayList<>(new TrafficTools(r).tools());
    all.add(new GenerateTool(r, b.workDir).tool());
    all.add(new DriftTool(r).tool());
    if (b.admin != null) {
      all.addAll(new RouteTools(new ProxyAdminClient(b.admin, b.adminToken)).tools());
    }
    this.tools = List.copyOf(all);
  }

  /** A server over the recorder {@code recorder} reads from (with its token). */
  public static Builder builder(RecorderClient recorder) {
    return new Builder(recorder);
  }

  /** Settings of a {@link TaplineMcp}; only the recorder is required. */
  public static final class Builder {
    private final RecorderClient recorder;
    private @Nullable URI admin;
    private @Nullable String adminToken;
    private Path workDir = Path.of("").toAbsolutePath();

    private Builder(RecorderClient recorder) {
      this.recorder = requireNonNull(recorder, "recorder");
    }

    /**
     * The capture proxy's admin API ({@code http://host:port}), which adds the route tools; its
     * bearer token when it requires one. Null: no route tools.
     */
    public Builder admin(@Nullable URI admin, @Nullable String token) {
      this.admin = admin;
      this.adminToken = token == null || token.isBlank() ? null : token.strip();
      return this;
    }

    /** Where a relative {@code outDir} of {@code generate_tests} is resolved (default: the working directory). */
    public Builder workDir(Path dir) {
      this.workDir = requireNonNull(dir, "dir").toAbsolutePath();
      return this;
    }

    public TaplineMcp build() {
      return new TaplineMcp(this);
    }
  }

  /** The tools this server offers, in the order {@code tools/list} shows them. */
  public List<String> toolNames() {
    return tools.stream().map(ToolSpec::name).toList();
  }

  private static McpSchema.Implementation info() {
    String v = TaplineMcp.class.getPackage().getImplementationVersion();
    return McpSchema.Implementation.builder(NAME, v == null ? "dev" : v).title("Tapline").build();
  }

  private static McpSchema.ServerCapabilities capabilities() {
    return McpSchema.ServerCapabilities.builder().tools(false).build();
  }

  /**
   * Serves one client over {@code in} and {@code out} (newline-delimited JSON-RPC) from now until the
   * input ends. Nothing but protocol messages is written to {@code out}.
   */
  public Stdio serveStdio(InputStream in, OutputStream out) throws IOException {
    StdioLines lines = new StdioLines(requireNonNull(in, "in"), requireNonNull(out, "out"), json);
    List<McpServerFeatures.SyncToolSpecification> specs = new ArrayList<>();
    for (ToolSpec t : tools) {
      specs.add(new McpServerFeatures.SyncToolSpecification(t.tool(), (exchange, req) -> t.call(req.arguments())));
    }
    McpSyncServer server = McpServer.sync(new StdioServerTransportProvider(json, lines.sdkInput(), out))
        .serverInfo(info())
        .instructions(INSTRUCTIONS)
        .capabilities(capabilities())
        .jsonMapper(json)
        .validateToolInputs(false) // the tools check their own arguments, with messages that say what to send
        .tools(specs)
        .build();
    lines.start();
    return new Stdio(server, lines.ended(), recorder);
  }

  /** A server on stdio; {@link #close()} stops it. */
  public static final class Stdio implements AutoCloseable {
    private final McpSyncServer server;
    private final CountDownLatch ended;
    private final RecorderClient recorder;

    private Stdio(McpSyncServer server, CountDownLatch ended, RecorderClient recorder) {
      this.server = server;
      this.ended = ended;
      this.recorder = recorder;
    }

    /** Blocks until the client closes the input (the end of the session). */
    public void awaitInputEnd() throws InterruptedException {
      ended.await();
    }

    @Override
    public void close() {
      server.closeGracefully();
      recorder.close();
    }
  }

  /**
   * Serves MCP's streamable HTTP transport (stateless) on {@code POST http://host:port/mcp} until
   * closed. {@code edge} decides the token and the host names answered; the Origin check is added.
   *
   * @param port 0 for any free port
   */
  public Http serveHttp(String host, int port, HttpEdge edge) throws IOException {
    requireNonNull(host, "host");
    HttpEdge checked = requireNonNull(edge, "edge").checkOrigin();
    HttpTransport transport = new HttpTransport(json);
    List<McpStatelessServerFeatures.SyncToolSpecification> specs = new ArrayList<>();
    for (ToolSpec t : tools) {
      specs.add(new McpStatelessServerFeatures.SyncToolSpecification(t.tool(), (ctx, req) -> t.call(req.arguments())));
    }
    McpStatelessSyncServer server = McpServer.sync(transport)
        .serverInfo(info())
        .instructions(INSTRUCTIONS)
        .capabilities(capabilities())
        .jsonMapper(json)
        .validateToolInputs(false)
        .tools(specs)
        .build();
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 64);
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "tapline-mcp-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    http.createContext(HttpTransport.PATH, HttpEdge.guarded(transport::handle)).getFilters().add(checked.gate());
    http.createContext("/healthz", HttpEdge.guarded(ex -> HttpResponses.json(ex, 200, Map.of("status", "ok"))))
        .getFilters().add(checked.open());
    http.createContext("/", HttpEdge.guarded(HttpResponses::notFound)).getFilters().add(checked.open());
    http.setExecutor(pool);
    http.start();
    return new Http(http, pool, server, recorder);
  }

  /** A server on HTTP; {@link #close()} stops it. */
  public static final class Http implements AutoCloseable {
    private final HttpServer http;
    private final ExecutorService pool;
    private final McpStatelessSyncServer server;
    private final RecorderClient recorder;

    private Http(HttpServer http, ExecutorService pool, McpStatelessSyncServer server, RecorderClient recorder) {
      this.http = http;
      this.pool = pool;
      this.server = server;
      this.recorder = recorder;
    }

    /** The MCP endpoint, {@code http://host:port/mcp}. */
    public URI uri() {
      InetSocketAddress a = http.getAddress();
      String host = a.getAddress().getHostAddress();
      return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + HttpTransport.PATH);
    }

    @Override
    public void close() {
      server.closeGracefully();
      http.stop(0);
      pool.shutdownNow();
      try {
        pool.awaitTermination(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      recorder.close();
    }
  }
}
