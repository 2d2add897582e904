package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Replayer}'s input: recorded exchanges from an NDJSON file or the recorder's {@code GET
 * /api/export?q=} stream (both read by core's {@link ExchangeReader}), or from a list. Read lazily,
 * one exchange at a time. Replay stops at bad input rather than skipping it: a malformed line, a
 * file that does not exist, a recorder that cannot be reached or refuses the export is a {@link
 * ReplayInputException} naming the source (and the line).
 *
 * <pre>{@code
 * try (ExchangeSource src = ExchangeSource.open("http://recorder:7070", "service:orders", token, Duration.ofSeconds(10))) {
 *   DriftReport report = replayer.replay(src, ReplayListener.none());
 * }
 * }</pre>
 */
public interface ExchangeSource extends AutoCloseable {
  /**
   * The next exchange, or null at the end.
   *
   * @throws ReplayInputException {@code <source> line <n>: <why>} for a line that is not an exchange
   *     or cannot be read
   */
  @Nullable Exchange next();

  /** Where the exchanges come from, for messages. */
  String describe();

  @Override
  void close();

  /**
   * An http(s) URL is a recorder (its export is read through core's {@code RecorderClient}, with
   * {@code token} when given); anything else is an NDJSON file, and {@code query} must then be null
   * or blank.
   *
   * @param connectTimeout how long to wait for the recorder to accept the connection
   */
  static ExchangeSource open(String from, @Nullable String query, @Nullable String token, Duration connectTimeout) {
    requireNonNull(from, "from");
    try {
      return of(ExchangeReader.open(from, query, token, connectTimeout));
    } catch (IOException e) {
      throw new ReplayInputException(e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new ReplayInputException("--query: " + e.getMessage(), e);
    }
  }

  static ExchangeSource file(Path path) {
    try {
      return of(ExchangeReader.file(path));
    } catch (IOException e) {
      throw new ReplayInputException(e.getMessage(), e);
    }
  }

  /**
   * Exchanges from an open reader, closed with the source. A malformed line or a failed read is a
   * {@link ReplayInputException} {@code <reader name> line <n>: <why>}.
   */
  static ExchangeSource of(ExchangeReader reader) {
    requireNonNull(reader, "reader");
    return new ExchangeSource() {
      @Override
      public @Nullable Exchange next() {
        ExchangeReader.Item item;
        try {
          item = reader.next();
        } catch (UncheckedIOException e) {
          throw new ReplayInputException(e.getMessage(), e);
        }
        return switch (item) {
          case null -> null;
          case ExchangeReader.Item.Read r -> r.exchange();
          case ExchangeReader.Item.Malformed m ->
              throw new ReplayInputException(reader.name() + " line " + m.line() + ": " + m.message());
        };
      }

      @Override
      public String describe() {
        return reader.name();
      }

      @Override
      public void close() {
        try {
          reader.close();
        } catch (IOException e) {
          throw new UncheckedIOException(reader.name() + ": cannot close: " + e.getMessage(), e);
        }
      }
    };
  }

  static ExchangeSource of(List<Exchange> exchanges) {
    Iterator<Exchange> it = List.copyOf(exchanges).iterator();
    return new ExchangeSource() {
      @Override
      public @Nullable Exchange next() {
        return it.hasNext() ? it.next() : null;
      }

      @Override
      public String describe() {
        return exchanges.size() + " exchanges";
      }

      @Override
      public void close() {}
    };
  }
}
