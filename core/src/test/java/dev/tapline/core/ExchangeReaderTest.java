package dev.tapline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.testing.FakeRecorderExport;
import dev.tapline.core.testing.TestExchanges;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExchangeReaderTest {
  private static List<Exchange> exchanges(int n) {
    List<Exchange> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(TestExchanges.getOrder(100 + i, i % 3 == 0 ? 404 : 200));
    }
    return list;
  }

  private static String ndjson(List<Exchange> exchanges) {
    StringBuilder sb = new StringBuilder();
    for (Exchange e : exchanges) {
      sb.append(new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8)).append('\n');
    }
    return sb.toString();
  }

  private static List<ExchangeReader.Item> readAll(ExchangeReader in) {
    List<ExchangeReader.Item> items = new ArrayList<>();
    for (ExchangeReader.Item item; (item = in.next()) != null; ) {
      items.add(item);
    }
    return items;
  }

  private static List<Exchange> exchangesOf(List<ExchangeReader.Item> items) {
    return items.stream().filter(i -> i instanceof ExchangeReader.Item.Read)
        .map(i -> ((ExchangeReader.Item.Read) i).exchange()).toList();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return free.getLocalPort(); // nothing listens there once this returns
    }
  }

  @Test
  void malformedLinesAreItemsWithTheirLineNumberAndTheRestIsRead(@TempDir Path dir) throws IOException {
    List<Exchange> all = exchanges(6);
    String lines = ndjson(all.subList(0, 3)) + "{not json\n\n" + "{\"v\":1,\"id\":\"x\"}\n" + ndjson(all.subList(3, 6));
    Path file = dir.resolve("traffic.ndjson");
    Files.writeString(file, lines);
    List<ExchangeReader.Item> items;
    try (ExchangeReader in = ExchangeReader.open(file.toString(), null)) {
      assertThat(in.name()).isEqualTo(file.toString());
      items = readAll(in);
    }
    assertThat(exchangesOf(items)).isEqualTo(all);
    assertThat(items).extracting(ExchangeReader.Item::line).containsExactly(1L, 2L, 3L, 4L, 6L, 7L, 8L, 9L);
    assertThat(items).filteredOn(i -> i instanceof ExchangeReader.Item.Malformed)
        .map(i -> (ExchangeReader.Item.Malformed) i)
        .satisfiesExactly(
            first -> assertThat(first.line() + ": " + first.message()).startsWith("4: not JSON"),
            second -> assertThat(second.line() + ": " + second.message()).startsWith("6: ").contains("request"));
  }

  @Test
  void aRecorderUrlIsStreamedFromItsExportWithTheQuery() throws IOException {
    List<String> asked = new CopyOnWriteArrayList<>();
    List<Exchange> all = exchanges(20);
    HttpServer recorder = FakeRecorderExport.start("/api/export", ndjson(all), asked);
    String base = "http://127.0.0.1:" + recorder.getAddress().getPort();
    try {
      try (ExchangeReader in = ExchangeReader.open(base, "service:orders AND status:[200 TO 299]")) {
        assertThat(exchangesOf(readAll(in))).isEqualTo(all);
        assertThat(in.name()).isEqualTo(base + "/api/export?q=service%3Aorders+AND+status%3A%5B200+TO+299%5D");
      }
      // No query: no q= at all. Trailing slashes and an explicit /api/export are the same URL; the scheme is any case.
      for (String url : List.of(base + "/", base + "/api/export", base + "/api/export//", "HTTP://127.0.0.1:" + recorder.getAddress().getPort())) {
        try (ExchangeReader in = ExchangeReader.open(url, null, null, Duration.ofSeconds(5))) {
          assertThat(exchangesOf(readAll(in))).hasSize(all.size());
        }
      }
      assertThat(asked).containsExactly("/api/export?q=service%3Aorders+AND+status%3A%5B200+TO+299%5D",
          "/api/export", "/api/export", "/api/export", "/api/export");
    } finally {
      recorder.stop(0);
    }
  }

  @Test
  void aRecorderBehindAPathPrefixIsReadUnderThatPrefix() throws IOException {
    List<String> asked = new CopyOnWriteArrayList<>();
    HttpServer recorder = FakeRecorderExport.start("/tools/tapline/api/export", ndjson(exchanges(2)), asked);
    String base = "http://127.0.0.1:" + recorder.getAddress().getPort() + "/tools/tapline/";
    try (ExchangeReader in = ExchangeReader.open(base, "method:GET")) {
      assertThat(exchangesOf(readAll(in))).hasSize(2);
      assertThat(asked).containsExactly("/tools/tapline/api/export?q=method%3AGET");
    } finally {
      recorder.stop(0);
    }
  }

  @Test
  void aRecorderErrorAMissingFileAndANonListeningPortAreOneLineErrorsNamingTheSource(@TempDir Path dir) throws IOException {
    HttpServer recorder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
    recorder.createContext("/", ex -> {
      String error = "{\"error\":\"bad_query\",\"detail\":\"unexpected ]\"}";
      byte[] b = (ex.getRequestURI().getRawQuery().contains("long") ? error + "\n" + "x".repeat(1000) : error)
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(400, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    recorder.start();
    String url = "http://127.0.0.1:" + recorder.getAddress().getPort() + "/api/export";
    try {
      assertThatThrownBy(() -> ExchangeReader.open(url, "]"))
          .isInstanceOf(IOException.class)
          .hasMessage(url + "?q=%5D: HTTP 400: {\"error\":\"bad_query\",\"detail\":\"unexpected ]\"}");
      assertThatThrownBy(() -> ExchangeReader.open(url, "long"))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith(url + "?q=long: HTTP 400: {\"error\":\"bad_query\",\"detail\":\"unexpected ]\"} xxx")
          .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(url.length() + 350).doesNotContain("\n"));
    } finally {
      recorder.stop(0);
    }
    int port = closedPort();
    assertThatThrownBy(() -> ExchangeReader.open("http://127.0.0.1:" + port, null))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("http://127.0.0.1:" + port + "/api/export: cannot connect");
    assertThatThrownBy(() -> ExchangeReader.open("/no/such/file.ndjson", null))
        .isInstanceOf(IOException.class).hasMessage("/no/such/file.ndjson: no such file");
    assertThatThrownBy(() -> ExchangeReader.open(dir.toString(), null))
        .isInstanceOf(IOException.class).hasMessage(dir + ": is a directory, not an NDJSON file");
    assertThatThrownBy(() -> ExchangeReader.open("http://", null))
        .isInstanceOf(IOException.class).hasMessageStartingWith("http://: not a valid URL");
  }

  @Test
  void aQueryCannotFilterAFile(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("x.ndjson"), "");
    assertThatThrownBy(() -> ExchangeReader.open(file.toString(), "service:orders"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(file + " is a file");
    try (ExchangeReader in = ExchangeReader.open(file.toString(), " ")) {
      assertThat(in.next()).isNull();
    }
  }

  @Test
  void aReadThatBreaksOffNamesTheSourceAndTheLine() throws IOException {
    String good = ndjson(exchanges(2));
    Reader breaking = new Reader() {
      final StringReader head = new StringReader(good);

      @Override
      public int read(char[] buf, int off, int len) throws IOException {
        int n = head.read(buf, off, len);
        if (n < 0) {
          throw new IOException("connection reset");
        }
        return n;
      }

      @Override
      public void close() {}
    };
    try (ExchangeReader in = ExchangeReader.of(breaking, "http://recorder/api/export")) {
      assertThat(in.next()).isInstanceOf(ExchangeReader.Item.Read.class);
      assertThat(in.next()).isInstanceOf(ExchangeReader.Item.Read.class);
      assertThatThrownBy(in::next).isInstanceOf(UncheckedIOException.class)
          .hasMessage("http://recorder/api/export line 3: cannot read (IOException: connection reset)");
    }
  }
}
