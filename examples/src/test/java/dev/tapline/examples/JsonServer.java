package dev.tapline.examples;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * A real third-party REST server for tests: json-server {@value #VERSION} from {@code
 * examples/json-server} (installed there by {@code npm ci}), serving a temporary copy of its {@code
 * db.json} (json-server writes every change back to its file) on a free port of 127.0.0.1; or,
 * with {@link #startAuthOrSkip()}, json-server-auth from {@code examples/json-server-auth}, whose
 * routes need a JWT from its {@code POST /login}.
 *
 * <pre>{@code
 * try (JsonServer server = JsonServer.startOrSkip()) {
 *   URI base = server.baseUri();          // http://127.0.0.1:PORT: /posts, /comments?postId=1, /profile
 * }
 * }</pre>
 *
 * <p>Without node or {@code node_modules} the test is skipped with a notice, unless {@code
 * -Dtapline.requireNode=true} (set by CI), which makes it fail instead. From another module's tests
 * (through the examples test-jar) the directory is found by walking up from the working directory;
 * {@code -Dtapline.jsonServerDir=DIR} names it explicitly.
 */
public final class JsonServer implements AutoCloseable {
  /** The json-server version {@code examples/json-server/package.json} pins. */
  public static final String VERSION = "0.17.4";

  private static final Duration STARTUP = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final Path workDir;

  private JsonServer(Process process, int port, Path workDir) {
    this.process = process;
    this.port = port;
    this.workDir = workDir;
  }

  /** Starts json-server on a free port, or skips (fails under {@code tapline.requireNode}) when it is not installed. */
  public static JsonServer startOrSkip() {
    Path dir = installedOrSkip("json-server");
    return start(dir.resolve("node_modules/.bin/json-server"), dir.resolve("db.json"));
  }

  /**
   * Starts json-server-auth ({@value #AUTH_VERSION}, from {@code examples/json-server-auth}) on a
   * free port with its {@code routes.json} guards, or skips like {@link #startOrSkip()}: {@code POST
   * /register} and {@code POST /login} answer {@code accessToken} (a JWT), {@code /bookmarks} needs
   * it. The seeded user {@value #AUTH_USER} has the password {@value #AUTH_PASSWORD}.
   */
  public static JsonServer startAuthOrSkip() {
    Path dir = installedOrSkip("json-server-auth");
    return start(dir.resolve("node_modules/.bin/json-server-auth"), dir.resolve("db.json"), dir.resolve("routes.json"));
  }

  /** The json-server-auth version {@code examples/json-server-auth/package.json} pins. */
  public static final String AUTH_VERSION = "2.1.0";
  /** The user {@code examples/json-server-auth/db.json} seeds. */
  public static final String AUTH_USER = "reader@example.com";
  /** The seeded user's password (db.json holds only its bcrypt hash). */
  public static final String AUTH_PASSWORD = "tapline-demo-pw";

  private static Path installedOrSkip(String name) {
    Optional<Path> dir = installDir(name);
    if (dir.isEmpty()) {
      skipOrFail(name + " tests need examples/" + name + "; none found above " + Path.of("").toAbsolutePath());
    }
    Path bin = dir.get().resolve("node_modules/.bin/" + name);
    if (!Files.isExecutable(bin) || onPath("node").isEmpty()) {
      skipOrFail(name + " tests need node on the PATH and `npm ci` run in " + dir.get() + "; found node="
          + onPath("node").map(Path::toString).orElse("none") + ", " + bin + (Files.isExecutable(bin) ? "" : " missing"));
    }
    return dir.get();
  }

  /**
   * Starts {@code bin} (a json-server executable) on a copy of {@code db}; retries on a port taken
   * between choosing and binding it.
   */
  public static JsonServer start(Path bin, Path db) {
    return start(bin, db, null);
  }

  /** As {@link #start(Path, Path)}, with a {@code routes.json} (copied too) given as {@code -r}. */
  public static JsonServer start(Path bin, Path db, @Nullable Path routes) {
    requireNonNull(bin, "bin");
    requireNonNull(db, "db");
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return startOnce(bin, db, routes, freePort());
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw requireNonNull(last);
  }

  private static JsonServer startOnce(Path bin, Path db, @Nullable Path routes, int port) {
    Path workDir;
    Process process;
    try {
      workDir = Files.createTempDirectory("tapline-json-server");
      Files.copy(db, workDir.resolve("db.json"));
      List<String> command = new java.util.ArrayList<>(List.of(bin.toString(), "--port", String.valueOf(port), "--host",
          "127.0.0.1"));
      if (routes != null) {
        Files.copy(routes, workDir.resolve("routes.json"));
        command.addAll(List.of("-r", "routes.json"));
      }
      command.add("db.json");
      // The working directory is the copy's, so snapshots and a json-server.json lookup stay there.
      process = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(workDir.resolve("json-server.log").toFile())
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + bin, e);
    }
    JsonServer server = new JsonServer(process, port, workDir);
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      HttpRequest probe = HttpRequest.newBuilder(server.baseUri().resolve("/db")).timeout(Duration.ofSeconds(2)).build();
      await().atMost(STARTUP).pollInterval(Duration.ofMillis(100)).until(() -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("json-server exited with " + process.exitValue() + ": " + server.log());
        }
        try {
          return http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
          return false;
        }
      });
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e instanceof IllegalStateException ise ? ise
          : new IllegalStateException("json-server did not answer on port " + port + " within " + STARTUP + ": " + server.log(), e);
    }
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:PORT}: resources at {@code /posts}, {@code /comments}, {@code /profile}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The copy of db.json it serves and writes to. */
  public Path db() {
    return workDir.resolve("db.json");
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** What json-server printed: its banner, then one line per request. */
  public String log() {
    try {
      return Files.readString(workDir.resolve("json-server.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Stops the process (node, no children) and deletes the copy. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // temp space
    }
  }

  /** {@code -Dtapline.jsonServerDir}, else the first {@code examples/json-server} at or above the working directory. */
  static Optional<Path> installDir() {
    return installDir("json-server");
  }

  /**
   * {@code -Dtapline.jsonServerDir} (for json-server) or {@code -Dtapline.jsonServerAuthDir}, else the
   * first {@code examples/<name>} at or above the working directory.
   */
  static Optional<Path> installDir(String name) {
    String configured = System.getProperty(name.equals("json-server") ? "tapline.jsonServerDir" : "tapline.jsonServerAuthDir");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured).toAbsolutePath());
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      for (Path candidate : List.of(d.resolve(name), d.resolve("examples/" + name))) {
        if (Files.isRegularFile(candidate.resolve("package.json")) && Files.isRegularFile(candidate.resolve("db.json"))) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void skipOrFail(String notice) {
    if (Boolean.getBoolean("tapline.requireNode")) {
      fail(notice + " and -Dtapline.requireNode=true");
    }
    System.out.println("SKIPPED: " + notice);
    Assumptions.abort(notice);
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "json-server " + VERSION + " at " + baseUri() + (isRunning() ? "" : " (stopped)");
  }
}
