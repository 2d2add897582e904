package dev.tapline.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * The example GraphQL server ({@code examples/graphql/server.mjs}, Apollo Server on Node) started
 * on a free port with one of its schemas. Without {@code node} or the example's {@code
 * node_modules} the tests that need it are skipped with a notice, unless {@code
 * -Dtapline.requireNode=true} (as {@code .ci/run} sets), which makes that a failure.
 */
final class ApolloServer implements AutoCloseable {
  static final Path DIR = Path.of("..", "examples", "graphql").toAbsolutePath().normalize();

  private final Process process;
  private final URI uri;

  private ApolloServer(Process process, URI uri) {
    this.process = process;
    this.uri = uri;
  }

  /** Skips (or fails, under {@code tapline.requireNode}) when Node or the example's packages are missing. */
  static void assumeAvailable() {
    String missing = null;
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
        missing = "'node --version' failed";
      }
    } catch (IOException e) {
      missing = "no 'node' on the PATH";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      missing = "interrupted";
    }
    if (missing == null && !Files.isDirectory(DIR.resolve("node_modules/@apollo/server"))) {
      missing = "no " + DIR.resolve("node_modules/@apollo/server") + " (run 'npm ci' in examples/graphql)";
    }
    if (missing != null) {
      String notice = "GraphQL end-to-end tests need Node and examples/graphql's packages: " + missing;
      if (Boolean.getBoolean("tapline.requireNode")) {
        fail(notice + " and -Dtapline.requireNode=true");
      }
      Assumptions.abort(notice);
    }
  }

  static ApolloServer start(String schemaFile) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("node", "server.mjs", schemaFile, "0").directory(DIR.toFile())
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
      StringBuilder seen = new StringBuilder();
      try {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith("ready ")) {
            return line.substring(6).trim();
          }
          seen.append(line).append('\n');
        }
      } catch (IOException e) {
        seen.append(e);
      }
      throw new IllegalStateException("server.mjs ended before it was ready:\n" + seen);
    });
    try {
      String url = ready.get(60, TimeUnit.SECONDS);
      // Keep draining its output so that the server never blocks on a full pipe. A platform thread:
      // a virtual one blocked in a pipe read holds its carrier, and with two cores two of them left
      // the in-process recorder's virtual-thread handlers without any.
      Thread.ofPlatform().daemon().name("apollo-output").start(() -> {
        try {
          while (out.readLine() != null) {
            // discard
          }
        } catch (IOException e) {
          // the process ended
        }
      });
      URI u = URI.create(url);
      return new ApolloServer(p, URI.create(u.getScheme() + "://" + u.getAuthority()));
    } catch (ExecutionException | TimeoutException e) {
      p.destroyForcibly();
      throw new IllegalStateException("Apollo server with " + schemaFile + " did not start: " + e.getMessage(), e);
    }
  }

  /** {@code http://127.0.0.1:PORT}, without a path. */
  URI uri() {
    return uri;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
