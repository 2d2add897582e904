package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link DriftReport} in one format. Four are built in, one file each in the report
 * directory: {@link #junit()} ({@code junit.xml}, one test case per endpoint), {@link #markdown()}
 * ({@code summary.md}, for a pull-request comment), {@link #html()} ({@code report.html}, one
 * self-contained page) and {@link #json()} ({@code drift.json}, the documented machine-readable form).
 *
 * <pre>{@code
 * List<Path> written = ReportWriter.writeAll(report, Path.of("target/tapline"));
 * }</pre>
 */
public interface ReportWriter {
  /** The file this writer produces in a report directory, e.g. {@code junit.xml}. */
  String fileName();

  void write(DriftReport report, OutputStream out) throws IOException;

  default byte[] toBytes(DriftReport report) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      write(report, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static ReportWriter junit() {
    return new JunitReport();
  }

  static ReportWriter markdown() {
    return new MarkdownReport();
  }

  static ReportWriter html() {
    return new HtmlReport();
  }

  static ReportWriter json() {
    return new JsonReport();
  }

  static List<ReportWriter> all() {
    return List.of(junit(), markdown(), html(), json());
  }

  /** Writes every built-in report into {@code dir} (created when missing); returns the files. */
  static List<Path> writeAll(DriftReport report, Path dir) throws IOException {
    requireNonNull(report, "report");
    requireNonNull(dir, "dir");
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>();
    for (ReportWriter w : all()) {
      Path p = dir.resolve(w.fileName());
      Path tmp = dir.resolve(w.fileName() + ".tmp");
      try (OutputStream os = Files.newOutputStream(tmp)) {
        w.write(report, os);
      }
      Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      out.add(p);
    }
    return out;
  }
}
