package dev.tapline.core;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
  /** Connect timeout of {@link #open(String, String)}. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** The recorder endpoint that streams exchanges as NDJSON. */
  public static final String EXPORT_PATH = "/api/export";

  private static final int ERROR_BODY_BYTES = 300;

  private final BufferedReader reader;
  private final String name;
  private final @Nullable HttpClient client;
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

  private ExchangeReader(Reader reader, String name, @Nullable HttpClient client) {
    this.reader = reader instanceof BufferedReader b ? b : new BufferedReader(reader, 1 << 16);
    this.name = name;
    this.client = client;
  }

  /** True when {@code from} is an {@code http://} or {@code https://} URL (any case), i.e. a recorder. */
  public static boolean isUrl(String from) {
    String lower = from.toLowerCase(Locale.ROOT);
    return lower.startsWith("http://") || lower.startsWith("https://");
  }

  /** {@link #open(String, String, Duration)} with {@link #DEFAULT_CONNECT_TIMEOUT}. */
  public static ExchangeReader open(String from, @Nullable String query) throws IOException {
    return open(from, query, DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * Opens {@code from}: an {@code http(s)://} URL is a recorder (see {@link #recorder}); anything
   * else is an NDJSON file. A {@code query} filters a recorder's export; a file cannot be queried.
   *
   * @throws IOException naming the file or URL when it cannot be opened
   * @throws IllegalArgumentException when a query is given with a file
   */
  public static ExchangeReader open(String from, @Nullable String query, Duration connectTimeout) throws IOException {
    requireNonNull(from, "from");
    if (isUrl(from)) {
      return recorder(from, query, connectTimeout);
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
      return new ExchangeReader(Files.newBufferedReader(file, StandardCharsets.UTF_8), name, null);
    } catch (NoSuchFileException e) {
      throw new IOException(name + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new IOException(name + ": permission denied", e);
    } catch (IOException e) {
      throw new IOException(name + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * Streams a recorder's export. Trailing slashes of {@code recorder} are dropped and {@value
   * #EXPORT_PATH} is appended unless the URL's path already ends with it, so a recorder behind a
   * path prefix ({@code https://tools/tapline/}) works. {@code q=<query>} is sent only when a
   * query is given. The full URL asked for is the {@link #name()}.
   *
   * @throws IOException {@code <url>: cannot connect (...)}, {@code <url>: HTTP 400: <start of the
   *     recorder's error body>}, ...
   */
  public static ExchangeReader recorder(String recorder, @Nullable String query, Duration connectTimeout)
      throws IOException {
    requireNonNull(recorder, "recorder");
    requireNonNull(connectTimeout, "connectTimeout");
    URI uri = exportUri(recorder, query);
    String url = uri.toString();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout).build();
    boolean ok = false;
    try {
      HttpResponse<InputStream> resp = client.send(
          HttpRequest.newBuilder(uri).header("Accept", "application/x-ndjson").GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      if (resp.statusCode() != 200) {
        String detail;
        try (InputStream in = resp.body()) {
          detail = new String(in.readNBytes(ERROR_BODY_BYTES), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        } catch (IOException e) {
          detail = "";
        }
        throw new IOException(url + ": HTTP " + resp.statusCode() + (detail.isEmpty() ? "" : ": " + detail));
      }
      ExchangeReader reader = new ExchangeReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8), url, client);
      ok = true;
      return reader;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(url + ": interrupted while connecting", e);
    } catch (HttpConnectTimeoutException e) {
      throw new IOException(url + ": cannot connect (timed out after " + connectTimeout.toMillis() + " ms)", e);
    } catch (ConnectException e) {
      throw new IOException(url + ": cannot connect (" + connectFailure(e) + ")", e);
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(url + ": ")) {
        throw e;
      }
      throw new IOException(url + ": request failed (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    } finally {
      if (!ok) {
        client.shutdownNow();
      }
    }
  }

  /** Reads NDJSON from any reader (closed by {@link #close()}); {@code name} appears in messages. */
  public static ExchangeReader of(Reader reader, String name) {
    return new ExchangeReader(requireNonNull(reader, "reader"), requireNonNull(name, "name"), null);
  }

  /**
   * The export URL for a recorder's base URL and an optional query, as {@link #recorder} asks for it.
   *
   * @throws IOException {@code <recorder>: not a valid URL (...)}
   */
  public static URI exportUri(String recorder, @Nullable String query) throws IOException {
    URI base;
    try {
      base = new URI(recorder);
    } catch (URISyntaxException e) {
      throw new IOException(recorder + ": not a valid URL (" + e.getReason() + ")", e);
    }
    String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || base.getRawAuthority() == null) {
      throw new IOException(recorder + ": not a valid URL (expected http(s)://host:port)");
    }
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!path.endsWith(EXPORT_PATH)) {
      path += EXPORT_PATH;
    }
    StringBuilder url = new StringBuilder(scheme).append("://").append(base.getRawAuthority()).append(path);
    String params = base.getRawQuery();
    if (query != null && !query.isBlank()) {
      String q = "q=" + URLEncoder.encode(query, StandardCharsets.UTF_8);
      params = params == null || params.isEmpty() ? q : params + "&" + q;
    }
    if (params != null && !params.isEmpty()) {
      url.append('?').append(params);
    }
    try {
      return new URI(url.toString());
    } catch (URISyntaxException e) {
      throw new IOException(recorder + ": not a valid URL (" + e.getReason() + ")", e);
    }
  }

  /** Why a connection failed: {@code unknown host}, the JDK's message, else {@code connection refused}. */
  private static String connectFailure(ConnectException e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof java.nio.channels.UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
        return "unknown host";
      }
    }
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        return c.getMessage();
      }
    }
    return "connection refused"; // the JDK client reports a refused connection as a closed channel
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
    try {
      reader.close();
    } finally {
      if (client != null) {
        client.shutdownNow(); // the body was read or abandoned: nothing to wait for
      }
    }
  }
}
