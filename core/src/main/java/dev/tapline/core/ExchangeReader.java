package dev.tapline.core;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.api.RecorderClient;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Recorded exchanges read one NDJSON line at a time ({@link ExchangeCodec}, one exchange per line)
 * from a file or from a recorder's {@code GET /api/export?q=} stream. The input is streamed, never
 * loaded whole, so memory does not grow with its size. A line that is not an exchange is an {@link
 * Item.Malformed} item, not an exception: the caller decides whether to skip it or to stop.
 *
 * <pre>{@code
 * try (ExchangeReader in = ExchangeReader.open("http://127.0.0.1:7070", "service:orders")) {
 *   for (ExchangeReader.Item item; (item = in.next()) != null; ) {
 *     switch (item) {
 *       case ExchangeReader.Item.Read r -> use(r.exchange());
 *       case ExchangeReader.Item.Malformed m -> warn(in.name() + " line " + m.line() + ": " + m.message());
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Opening fails with an {@link IOException} whose message names the file or URL and says why
 * (no such file, cannot connect, the recorder's HTTP status and the start of its error body). A
 * read that fails half way is an {@link UncheckedIOException} naming the source and the line.
 */
public final class ExchangeReader implements Closeable {
  private final BufferedReader reader;
  private final String name;
  private long line;

  /** One non-blank line of input: an exchange, or why it is not one. */
  public sealed interface Item permits Item.Read, Item.Malformed {
    /** 1-based line number in the input (blank lines count). */
    long line();

    record Read(long line, Exchange exchange) implements Item {
      public Read {
        requireNonNull(exchange, "exchange");
      }
    }

    /** @param message why the line is not an exchange, e.g. {@code not JSON: ...} */
    record Malformed(long line, String message) implements Item {
      public Malformed {
        requireNonNull(message, "message");
      }
    }
  }

  private ExchangeReader(Reader reader, String name) {
    this.reader = reader instanceof BufferedReader b ? b : new BufferedReader(reader, 1 << 16);
    this.name = name;
  }

  /** True when {@code from} is an {@code http://} or {@code https://} URL (any case), i.e. a recorder. */
  public static boolean isUrl(String from) {
    String lower = from.toLowerCase(Locale.ROOT);
    return lower.startsWith("http://") || lower.startsWith("https://");
  }

  /** {@link #open(String, String, String, Duration)} without a token, with the default connect timeout. */
  public static ExchangeReader open(String from, @Nullable String query) throws IOException {
    return open(from, query, null, RecorderClient.DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * Opens {@code from}: an {@code http(s)://} URL is a recorder whose export is streamed ({@link
   * RecorderClient#export}, with {@code token} when given); anything else is an NDJSON file. A
   * {@code query} filters a recorder's export; a file cannot be queried.
   *
   * @throws IOException naming the file or URL when it cannot be opened
   * @throws IllegalArgumentException when a query is given with a file
   */
  public static ExchangeReader open(String from, @Nullable String query, @Nullable String token,
      Duration connectTimeout) throws IOException {
    requireNonNull(from, "from");
    requireNonNull(connectTimeout, "connectTimeout");
    if (isUrl(from)) {
      RecorderClient client = RecorderClient.builder(from).token(token).connectTimeout(connectTimeout).build();
      return client.export(query);
    }
    if (query != null && !query.isBlank()) {
      throw new IllegalArgumentException(from + " is a file; a query can only filter a recorder's export");
    }
    Path file;
    try {
      file = Path.of(from);
    } catch (java.nio.file.InvalidPathException e) {
      throw new IOException(from + ": not a valid file name (" + e.getReason() + ")", e);
    }
    return file(file);
  }

  /**
   * Opens an NDJSON file; its path as given is the {@link #name()}.
   *
   * @throws IOException {@code <file>: no such file}, {@code <file>: is a directory}, ...
   */
  public static ExchangeReader file(Path file) throws IOException {
    requireNonNull(file, "file");
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new IOException(name + ": is a directory, not an NDJSON file");
    }
    try {
      return new ExchangeReader(Files.newBufferedReader(file, StandardCharsets.UTF_8), name);
    } catch (NoSuchFileException e) {
      throw new IOException(name + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new IOException(name + ": permission denied", e);
    } catch (IOException e) {
      throw new IOException(name + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Reads NDJSON from any reader (closed by {@link #close()}); {@code name} appears in messages. */
  public static ExchangeReader of(Reader reader, String name) {
    return new ExchangeReader(requireNonNull(reader, "reader"), requireNonNull(name, "name"));
  }

  /** The file as given, or the URL asked for: what messages about this input name. */
  public String name() {
    return name;
  }

  /**
   * The next non-blank line, or null at the end.
   *
   * @throws UncheckedIOException {@code <name> line <n>: cannot read (...)} when the input breaks off
   */
  public @Nullable Item next() {
    String text;
    try {
      while ((text = reader.readLine()) != null) {
        line++;
        if (!text.isBlank()) {
          break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(name + " line " + (line + 1) + ": cannot read ("
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    }
    if (text == null) {
      return null;
    }
    try {
      return new Item.Read(line, ExchangeCodec.decode(text));
    } catch (ExchangeCodec.DecodeException e) {
      return new Item.Malformed(line, String.valueOf(e.getMessage()));
    } catch (RuntimeException e) {
      return new Item.Malformed(line, "not an exchange: " + e);
    }
  }

  /** Closes the file or the export stream (an unread rest of it is abandoned). */
  @Override
  public void close() throws IOException {
    reader.close();
  }
}
