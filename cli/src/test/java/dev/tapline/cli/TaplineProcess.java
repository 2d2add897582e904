package dev.tapline.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The real {@code tapline} executable (the shaded jar) run as a child process, as a user runs it. */
final class TaplineProcess implements AutoCloseable {
  private final Process process;
  private final List<String> out = new CopyOnWriteArrayList<>();
  private final List<String> err = new CopyOnWriteArrayList<>();

  private final List<Thread> pumps = new ArrayList<>();

  private TaplineProcess(Process process) {
    this.process = process;
    pumps.add(pump(process.getInputStream(), out, "out"));
    pumps.add(pump(process.getErrorStream(), err, "err"));
  }

  static Path jar() {
    Path jar = Path.of("target", "tapline.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException("run the integration tests with 'mvn verify': " + jar + " is built at package");
    }
    return jar;
  }

  static TaplineProcess start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Xmx512m");
    cmd.add("-Duser.timezone=Australia/Sydney");
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    return new TaplineProcess(new ProcessBuilder(cmd).start());
  }

  /** Runs a short command to completion. */
  static Result run(Duration timeout, String... args) throws Exception {
    try (TaplineProcess p = start(args)) {
      if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("tapline " + String.join(" ", args) + " did not finish in " + timeout + "\n" + p.stderr());
      }
      p.drain();
      return new Result(p.process.exitValue(), List.copyOf(p.out), List.copyOf(p.err));
    }
  }

  record Result(int exitCode, List<String> out, List<String> err) {}

  String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String l : out) {
        if (match.test(l)) {
          return l;
        }
      }
      if (!process.isAlive()) {
        throw new AssertionError("tapline exited with " + process.exitValue() + "\nstdout:\n" + String.join("\n", out) + "\nstderr:\n" + stderr());
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no matching line within " + timeout + "\nstdout:\n" + String.join("\n", out) + "\nstderr:\n" + stderr());
  }

  List<String> stdout() {
    return List.copyOf(out);
  }

  String stderr() {
    return String.join("\n", err);
  }

  /** SIGTERM, as Ctrl-C would; returns the exit code. */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("tapline did not stop within " + timeout + " of SIGTERM\n" + stderr());
    }
    return process.exitValue();
  }

  private void drain() throws InterruptedException {
    for (Thread t : pumps) {
      t.join(5000);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Thread pump(java.io.InputStream in, List<String> sink, String name) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          sink.add(line);
        }
      } catch (IOException ignored) {
        // process ended
      }
    }, "tapline-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
