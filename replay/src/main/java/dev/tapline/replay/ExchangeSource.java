package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where recorded exchanges come from: an NDJSON file (one {@link ExchangeCodec} line per exchange),
 * the recorder's {@code GET /api/export?q=} stream, or a list. Read lazily, one exchange at a time;
 * a malformed line is a {@link ReplayInputException} naming the line.
 *
 * <pre>{@code
 * try (ExchangeSource src = ExchangeSource.open("http://recorder:7070", "service:orders", Duration.ofSeconds(10))) {
 *   DriftReport report = replayer.replay(src);
 * }
 * }</pre>
 */
public interface ExchangeSource extends AutoCloseable {
  /** The next exchange, or null at the end. */
  @Nullable Exchange next();

  /** Where the exchanges come from, for messages. */
  String describe();

  @Override
  void close();

  /**
   * An http(s) URL is a recorder: {@code <from>/api/export?q=<query>} is fetched and streamed (a
   * URL that already ends in {@code /api/export} is used as is). Anything else is an NDJSON file;
   * {@code query} must then be null.
   */
  static ExchangeSource open(String from, @Nullable String query, Duration timeout) {
    requireNonNull(from, "from");
    String lower = from.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      return recorder(URI.create(from), query, timeout);
    }
    if (query != null && !query.isBlank()) {
      throw new ReplayInputException("--query needs --from to be a recorder URL; " + from + " is a file");
    }
    return file(Path.of(from));
  }

  static ExchangeSource file(Path path) {
    requireNonNull(path, "path");
    try {
      InputStream in = Files.newInputStream(path);
      return new NdjsonSource(path.toString(), in);
    } catch (NoSuchFileException e) {
      throw new ReplayInputException("no such file: " + path);
    } catch (IOException e) {
      throw new ReplayInputException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Streams {@code GET <recorder>/api/export?q=<query>}. */
  static ExchangeSource recorder(URI recorder, @Nullable String query, Duration timeout) {
    requireNonNull(recorder, "recorder");
    String base = recorder.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    if (!base.endsWith("/api/export")) {
      base = base + "/api/export";
    }
    String q = query == null ? "" : query;
    URI uri = URI.create(base + "?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout).build();
    HttpResponse<InputStream> resp;
    try {
      resp = client.send(HttpRequest.newBuilder(uri).header("Accept", "application/x-ndjson").GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      client.close();
      throw new ReplayInputException("cannot read exchanges from " + uri + ": " + Sender.describe(e), e);
    } catch (InterruptedException e) {
      client.close();
      Thread.currentThread().interrupt();
      throw new ReplayInputException("interrupted while connecting to " + uri, e);
    }
    if (resp.statusCode() != 200) {
      String detail;
      try (InputStream in = resp.body()) {
        detail = new String(in.readNBytes(300), StandardCharsets.UTF_8).replace('\n', ' ');
      } catch (IOException e) {
        detail = "";
      }
      client.close();
      throw new ReplayInputException("recorder export " + uri + " answered " + resp.statusCode() + ": " + detail);
    }
    return new NdjsonSource(uri.toString(), resp.body(), client);
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
