package dev.tapline.replay;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** Reads NDJSON line by line; blank lines are skipped. */
final class NdjsonSource implements ExchangeSource {
  private final String where;
  private final BufferedReader reader;
  private final @Nullable AutoCloseable onClose;
  private int line;

  NdjsonSource(String where, InputStream in) {
    this(where, in, null);
  }

  /** @param onClose also closed by {@link #close()}, e.g. the HTTP client the stream came from */
  NdjsonSource(String where, InputStream in, @Nullable AutoCloseable onClose) {
    this.where = where;
    this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    this.onClose = onClose;
  }

  @Override
  public @Nullable Exchange next() {
    String s;
    try {
      do {
        s = reader.readLine();
        line++;
      } while (s != null && s.isBlank());
    } catch (IOException e) {
      throw new ReplayInputException(where + " line " + line + ": read failed: " + e.getMessage(), e);
    }
    if (s == null) {
      return null;
    }
    try {
      return ExchangeCodec.decode(s);
    } catch (ExchangeCodec.DecodeException e) {
      throw new ReplayInputException(where + " line " + line + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return where;
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      closeQuietly(onClose);
    }
  }

  private static void closeQuietly(@Nullable AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // The HTTP client the export came from: nothing useful to report on close.
    }
  }
}
