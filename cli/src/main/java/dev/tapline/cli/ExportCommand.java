package dev.tapline.cli;

import dev.tapline.core.api.RecorderClient;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapline export}: the recorder's {@code /api/export} NDJSON, to a file or stdout. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    header = "Writes the exchanges matching a query as NDJSON (one exchange per line, oldest first), read from a running recorder.")
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConfigOption config;

  @Option(names = "--from", paramLabel = "URL", description = "The recorder's base URL, e.g. http://127.0.0.1:7070. Required.")
  @Nullable String from;

  @Option(names = "--query", paramLabel = "Q", description = "Lucene query over the index fields, e.g. 'service:orders AND status:[200 TO 299]' (default: everything).")
  @Nullable String query;

  @Option(names = "--out", paramLabel = "FILE", description = "Write here instead of stdout.")
  @Nullable Path out;

  @Mixin RecorderToken token = new RecorderToken();

  @Override
  public Integer call() throws IOException {
    if (from == null || from.isBlank()) {
      throw new UsageException("--from URL is required (the recorder's base URL, e.g. http://127.0.0.1:7070)");
    }
    RecorderClient recorder;
    try {
      recorder = RecorderClient.builder(from).token(token.value()).build();
    } catch (IOException e) {
      throw new UsageException("--from " + e.getMessage() + ", e.g. http://127.0.0.1:7070", e);
    }
    PrintWriter err = spec.commandLine().getErr();
    try (recorder; InputStream body = open(recorder)) {
      long lines;
      if (out == null) {
        OutputStream stdout = new BufferedOutputStream(System.out, 64 * 1024);
        lines = copy(body, stdout, err);
        stdout.flush();
      } else {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        // Write aside and move: an interrupted export never leaves a half file that looks whole.
        Path tmp = Files.createTempFile(parent, ".tapline-export", ".tmp");
        try {
          try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024)) {
            lines = copy(body, file, err);
          }
          Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
      err.println("exported " + lines + " exchange" + (lines == 1 ? "" : "s") + (out == null ? "" : " to " + out));
      err.flush();
    }
    return 0;
  }

  /** The export stream; a refused query or a missing token is bad usage (exit 2), with the recorder's reason. */
  private InputStream open(RecorderClient recorder) throws IOException {
    try {
      return recorder.exportBytes(query);
    } catch (RecorderClient.RecorderException e) {
      String detail = e.detail() != null ? e.detail() : e.getMessage();
      if (e.status() == 400) {
        throw new UsageException("--query rejected by the recorder: " + detail, e);
      }
      if (e.status() == 401) {
        throw new UsageException("the recorder at " + from + " requires a token: give it with --token, TAPLINE_TOKEN"
            + " or --token-file", e);
      }
      throw new IllegalStateException("the recorder at " + from + " answered " + e.status() + ": " + detail, e);
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage() + " (is the recorder running?)", e);
    }
  }

  /** Copies NDJSON, counting lines; reports progress on stderr about once a second. */
  private static long copy(InputStream in, OutputStream out, PrintWriter err) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long lines = 0;
    long lastReport = System.nanoTime();
    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
      out.write(buf, 0, n);
      for (int i = 0; i < n; i++) {
        if (buf[i] == '\n') {
          lines++;
        }
      }
      long now = System.nanoTime();
      if (now - lastReport > 1_000_000_000L) {
        lastReport = now;
        err.println("exported " + lines + " exchanges so far...");
        err.flush();
      }
    }
    return lines;
  }
}
