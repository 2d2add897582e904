package dev.tapline.cli;

import dev.tapline.core.api.RecorderClient;
import dev.tapline.core.http.HttpEdge;
import dev.tapline.mcp.TaplineMcp;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapline mcp}: the Model Context Protocol server for coding agents (docs/AGENTS.md). */
@Command(
    name = "mcp",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Serves Tapline to a coding agent over the Model Context Protocol.",
    description = {
      "Its tools search recorded traffic, read an exchange, list endpoints, generate contract tests,",
      "check drift, and with --admin change the proxy's routes.",
      "",
      "Speaks MCP over stdio by default (an agent starts it as a child process; only protocol",
      "messages go to stdout, logs to stderr). With --http HOST:PORT it serves streamable",
      "HTTP on POST /mcp instead, requiring the token when one is given and turning away",
      "foreign Host (421) and Origin (403) headers. Setup: docs/AGENTS.md.",
      ""
    },
    footer = {"", "Examples:",
      "  tapline mcp --from http://127.0.0.1:7070 --admin http://127.0.0.1:8079",
      "  tapline mcp --from http://127.0.0.1:7070 --token-file ~/.tapline-token --http 127.0.0.1:7072"})
final class McpCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Spec CommandSpec spec;

  @Option(names = "--from", required = true, paramLabel = "URL",
      description = "The recorder the tools read, http(s)://host:port (also TAPLINE_FROM).")
  String from;

  @Mixin RecorderToken token = new RecorderToken();

  @Option(names = "--admin", paramLabel = "URL",
      description = "The capture proxy's admin API, http://host:port or HOST:PORT: adds list_routes, set_route and"
          + " remove_route.")
  @Nullable String admin;

  @Option(names = "--http", paramLabel = "HOST:PORT",
      description = "Serve streamable HTTP on POST http://HOST:PORT/mcp instead of stdio.")
  @Nullable String http;

  @Option(names = "--allowed-host", paramLabel = "NAME",
      description = "With --http: also answer requests whose Host or Origin is NAME (e.g. a reverse proxy's name)."
          + " Repeatable.")
  List<String> allowedHosts = new ArrayList<>();

  @Override
  public Integer call() throws InterruptedException {
    String tok = token.value();
    RecorderClient recorder;
    try {
      recorder = RecorderClient.builder(from).token(tok).build();
    } catch (IOException e) {
      throw new UsageException("--from " + e.getMessage(), e);
    }
    TaplineMcp mcp = TaplineMcp.builder(recorder).admin(adminUri(), tok).build();
    return http == null ? stdio(mcp) : http(mcp, tok);
  }

  /** Stdout belongs to the protocol: anything else that prints goes to stderr instead. */
  private int stdio(TaplineMcp mcp) throws InterruptedException {
    OutputStream protocol = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    PrintStream previous = System.out;
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
    PrintWriter err = spec.commandLine().getErr();
    err.println("tapline mcp: serving " + mcp.toolNames().size() + " tools over stdio for the recorder at " + from
        + (admin == null ? "" : " and the proxy admin at " + admin));
    err.flush();
    try (TaplineMcp.Stdio session = mcp.serveStdio(System.in, protocol)) {
      session.awaitInputEnd();
    } catch (IOException e) {
      throw new UsageException("cannot serve over stdio: " + e.getMessage(), e);
    } finally {
      System.setOut(previous);
    }
    return 0;
  }

  private int http(TaplineMcp mcp, @Nullable String tok) throws InterruptedException {
    Cli.HostPort hp = Cli.hostPort("--http", http);
    if (tok == null && !Cli.HostPort.loopback(hp.host())) {
      throw new UsageException("--http on " + hp.host() + " is reachable from other machines: give --token or"
          + " --token-file (the tools write files and change routes), or serve on 127.0.0.1");
    }
    HttpEdge edge;
    try {
      edge = HttpEdge.token(tok).allowHosts(new LinkedHashSet<>(allowedHosts));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--allowed-host: " + e.getMessage(), e);
    }
    TaplineMcp.Http server;
    try {
      server = mcp.serveHttp(hp.host(), hp.port(), edge);
    } catch (IOException e) {
      throw new UsageException("cannot serve on --http " + http + ": " + e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "tapline-mcp-stop"));
    PrintWriter out = spec.commandLine().getOut();
    out.println("tapline mcp: " + mcp.toolNames().size() + " tools on " + server.uri() + " (streamable HTTP"
        + (tok == null ? "" : ", token required") + ") for the recorder at " + from + "; Ctrl-C to stop");
    out.flush();
    stopped.await();
    return 0;
  }

  private @Nullable URI adminUri() {
    return admin == null || admin.isBlank() ? null : Cli.adminUrl("--admin", admin);
  }
}
