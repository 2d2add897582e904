package dev.tapline.testgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.ExchangeReader;
import dev.tapline.core.Headers;
import dev.tapline.core.Ids;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --verify}: an assertion the live service does not repeat is removed with a comment, a test
 * that cannot pass is not written, and both are reported; what is written passes.
 */
class VerifyTest {
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** A service whose build number changes between calls and whose /flaky endpoint now fails. */
  private URI start() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/info", ex -> {
      byte[] b = ("{\"name\":\"shop\",\"build\":\"b" + calls.incrementAndGet() + "\"}").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.createContext("/flaky", ex -> {
      ex.sendResponseHeaders(503, -1);
      ex.close();
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private static Exchange get(String path, String json) {
    return new Exchange(Ids.newId(), Ids.nowMicros(), 10, "shop", "p", null, Exchange.BASELINE, null, null,
        new Request("GET", "http", "127.0.0.1:1", path, null, Headers.empty(), Body.empty()),
        new Response(200, Headers.of("Content-Type", "application/json"), Body.text("application/json", json)), null, List.of());
  }

  @Test
  void aValueTheServiceDoesNotRepeatIsNotAssertedAndATestThatCannotPassIsNotWritten(@TempDir Path dir) throws IOException {
    URI target = start();
    // Recorded twice with the same build: it looks stable, and it is not.
    List<Exchange> recorded = new ArrayList<>(List.of(
        get("/info", "{\"name\":\"shop\",\"build\":\"b7\"}"),
        get("/info", "{\"name\":\"shop\",\"build\":\"b7\"}"),
        get("/flaky", "{\"ok\":true}")));
    StringBuilder ndjson = new StringBuilder();
    recorded.forEach(e -> ndjson.append(new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8)).append('\n'));
    GenerationResult r;
    try (ExchangeReader in = ExchangeReader.of(new StringReader(ndjson.toString()), "verify.ndjson")) {
      r = TestGenerator.create(GeneratorOptions.builder("com.example.shop").build())
          .generate(in, null, VerifyOptions.of(target, 2));
    }
    GenerationResult.Verification v = r.verification();
    assertThat(v).isNotNull();
    assertThat(v.removed()).extracting(GenerationResult.Verification.Removed::what).containsExactly("build");
    assertThat(v.notWritten()).singleElement().satisfies(n -> {
      assertThat(n.test()).contains("getFlaky_returns200");
      assertThat(n.why()).contains("GET /flaky answered 503 where 200 was expected");
    });
    String info = r.files().get("java/com/example/shop/InfoContractTest.java");
    assertThat(info).contains("// not asserted: build differed between runs", ".body(\"name\", equalTo(\"shop\"))")
        .doesNotContain(".body(\"build\"");
    assertThat(r.files()).doesNotContainKey("java/com/example/shop/FlakyContractTest.java");
    assertThat(r.files().get(TestGenerator.REPORT_FILE)).contains("## Verification against", "### Assertions removed",
        "`build`", "### Tests not written", "getFlaky_returns200");
    assertThat(r.scenariosWritten()).isEqualTo(1);
    try (GeneratedTests suite = GeneratedTests.compile(r.files(), dir.resolve("after"))) {
      assertThat(GeneratedTests.failures(suite.run(target.toString()))).isEmpty();
    }
  }
}
