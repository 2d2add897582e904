package dev.tapline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapline.core.ExchangeReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
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
    description = "Writes the exchanges matching a query as NDJSON (one exchange per line, oldest first),"
        + " read from a running recorder.")
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConfigOption config;

  @Option(names = "--from", paramLabel = "URL", description = "The recorder's base URL, e.g. http://127.0.0.1:7070. Required.")
  @Nullable String from;

  @Option(names = "--query", paramLabel = "Q", description = "Lucene query over the index fields, e.g. 'service:orders AND status:[200 TO 299]' (default: everything).")
  @Nullable String query;

  @Option(names = "--out", paramLabel = "FILE", description = "Write here instead of stdout.")
  @Nullable Path out;

  @Option(names = "--token", paramLabel = "T", description = "Bearer token, when the recorder requires one.")
  @Nullable String token;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (from == null || from.isBlank()) {
      throw new UsageException("--from URL is required (the recorder's base URL, e.g. http://127.0.0.1:7070)");
    }
    URI uri = exportUri(from, query);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest.Builder req = HttpRequest.newBuilder(uri).GET().header("Accept", "application/x-ndjson");
    if (token != null && !token.isEmpty()) {
      req.header("Authorization", "Bearer " + token);
    }
    HttpResponse<InputStream> resp;
    try {
      resp = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException e) {
      throw new IllegalStateException("cannot connect to the recorder at " + from + " (is it running?)", e);
    }
    PrintWriter err = spec.commandLine().getErr();
    try (InputStream body = resp.body()) {
      if (resp.statusCode() != 200) {
        String detail = errorDetail(body.readAllBytes());
        if (resp.statusCode() == 400) {
          throw new UsageException("--query rejected by the recorder: " + detail);
        }
        if (resp.statusCode() == 401) {
          throw new UsageException("the recorder at " + from + " requires a token: pass --token T");
        }
        throw new IllegalStateException("the recorder at " + from + " answered " + resp.statusCode() + ": " + detail);
      }
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

  /** The same export URL the other commands read (core's {@link ExchangeReader#exportUri}). */
  static URI exportUri(String base, @Nullable String query) {
    try {
      return ExchangeReader.exportUri(base, query);
    } catch (IOException e) {
      throw new UsageException("--from " + e.getMessage() + ", e.g. http://127.0.0.1:7070", e);
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

  private static String errorDetail(byte[] body) {
    try {
      JsonNode n = new ObjectMapper().readTree(body);
      if (n.hasNonNull("detail")) {
        return n.get("detail").asText();
      }
    } catch (IOException e) {
      // not JSON: show it as text
    }
    String s = new String(body, StandardCharsets.UTF_8).strip();
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
