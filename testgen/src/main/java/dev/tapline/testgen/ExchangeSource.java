package dev.tapline.testgen;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Exchanges read one NDJSON line at a time from a file or from the recorder's {@code /api/export}
 * (streamed, never loaded whole). A line that is not an exchange is an {@link Item.Malformed} item,
 * not an exception: the caller skips it and goes on.
 *
 * <pre>{@code
 * try (ExchangeSource in = ExchangeSource.open("http://127.0.0.1:7070", "service:orders")) {
 *   for (ExchangeSource.Item item; (item = in.next()) != null; ) { ... }
 * }
 * }</pre>
 */
public final class ExchangeSource implements Closeable {
  private final BufferedReader reader;
  private final String name;
  private final @Nullable HttpClient client;
  private long line;

  /** One line of input: an exchange, or why it is not one. */
  public sealed interface Item permits Item.Read, Item.Malformed {
    long line();

    record Read(long line, Exchange exchange) implements Item {}

    record Malformed(long line, String message) implements Item {}
  }

  private ExchangeSource(Reader reader, String name, @Nullable HttpClient client) {
    this.reader = reader instanceof BufferedReader b ? b : new BufferedReader(reader, 1 << 16);
    this.name = name;
    this.client = client;
  }

  /**
   * Opens {@code from}: an {@code http(s)://} URL of a recorder (its {@code /api/export} when the URL
   * has no path) or an NDJSON file. {@code query} (Lucene syntax) is sent as {@code q=} to a
   * recorder; files cannot be queried.
   *
   * @throws IOException naming the file or URL when it cannot be read
   */
  public static ExchangeSource open(String from, @Nullable String query) throws IOException {
    requireNonNull(from, "from");
    if (from.startsWith("http://") || from.startsWith("https://")) {
      return openUrl(from, query);
    }
    if (query != null) {
      throw new IllegalArgumentException("--query filters a recorder's export; " + from + " is a file");
    }
    Path file = Path.of(from);
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IOException(from + ": no such readable file");
    }
    return new ExchangeSource(Files.newBufferedReader(file, StandardCharsets.UTF_8), from, null);
  }

  /** Reads NDJSON from any reader; {@code name} appears in messages. */
  public static ExchangeSource of(Reader reader, String name) {
    return new ExchangeSource(requireNonNull(reader, "reader"), requireNonNull(name, "name"), null);
  }

  private static ExchangeSource openUrl(String from, @Nullable String query) throws IOException {
    URI base = URI.create(from);
    String url = from;
    if (base.getPath() == null || base.getPath().isEmpty() || base.getPath().equals("/")) {
      url = from.replaceAll("/+$", "") + "/api/export";
    }
    if (query != null) {
      url += (url.contains("?") ? "&" : "?") + "q=" + URLEncoder.encode(query, StandardCharsets.UTF_8);
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<InputStream> resp;
    boolean ok = false;
    try {
      resp = client.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/x-ndjson").GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      if (resp.statusCode() != 200) {
        String detail;
        try (InputStream in = resp.body()) {
          detail = new String(in.readNBytes(300), StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
        }
        throw new IOException(url + ": HTTP " + resp.statusCode() + (detail.isEmpty() ? "" : ": " + detail));
      }
      ExchangeSource source = new ExchangeSource(new InputStreamReader(resp.body(), StandardCharsets.UTF_8), url, client);
      ok = true;
      return source;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(url + ": interrupted", e);
    } catch (java.net.ConnectException e) {
      throw new IOException(url + ": cannot connect" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(url)) {
        throw e;
      }
      throw new IOException(url + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
    } finally {
      if (!ok) {
        client.shutdownNow();
      }
    }
  }

  public String name() {
    return name;
  }

  /** The next non-blank line, or null at the end. */
  public @Nullable Item next() {
    try {
      String text;
      while ((text = reader.readLine()) != null) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        try {
          return new Item.Read(line, ExchangeCodec.decode(text));
        } catch (ExchangeCodec.DecodeException e) {
          return new Item.Malformed(line, e.getMessage());
        } catch (RuntimeException e) {
          return new Item.Malformed(line, "not an exchange: " + e.getMessage());
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(name + ":" + (line + 1) + ": cannot read: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      reader.close();
    } finally {
      if (client != null) {
        client.shutdownNow(); // the body was read or abandoned: nothing to wait for
      }
    }
  }
}
