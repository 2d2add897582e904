package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.proxy.RawHttp.Conversation;
import dev.tapline.proxy.RawHttp.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The regression corpus in {@code src/test/resources/fuzz-corpus} (see its README): one file per
 * probe the proxy once got wrong or must keep getting right, named after the statuses the client
 * must read. Request files go to a proxy in front of a {@link StrictUpstream}; files in {@code
 * responses/} are what an upstream answers.
 */
class FuzzCorpusTest {
  static FuzzHarness harness;
  static List<HttpFuzz.Probe> responseScripts;
  static ResponseFuzz scriptedUpstream;
  static CaptureProxy responseProxy;

  @BeforeAll
  static void start() throws IOException {
    harness = new FuzzHarness();
    responseScripts = files("responses").map(FuzzCorpusTest::probe).toList();
    scriptedUpstream = ResponseFuzz.start(responseScripts);
    responseProxy = CaptureProxy.start(ProxyConfig.builder().service("corpus").baseline(scriptedUpstream.uri())
        .capture(CapturePolicy.ALL).sink(ExchangeSink.discarding()).responseTimeout(Duration.ofSeconds(2)).build());
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      harness.assertStillServes();
      harness.assertUpstreamSawOnlyWellFormedRequests();
      harness.assertNoLeaks();
    } finally {
      responseProxy.close();
      scriptedUpstream.close();
      harness.close();
    }
  }

  static Stream<Path> files(String dir) {
    try {
      Path root = Path.of(FuzzCorpusTest.class.getResource("/fuzz-corpus").toURI());
      Path d = dir.isEmpty() ? root : root.resolve(dir);
      try (Stream<Path> s = Files.list(d)) {
        return s.filter(p -> p.getFileName().toString().endsWith(".http")).sorted().toList().stream();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<Path> requests() {
    return files("");
  }

  static Stream<Path> responses() {
    return files("responses");
  }

  static HttpFuzz.Probe probe(Path p) {
    try {
      return new HttpFuzz.Probe(p.getFileName().toString(), Files.readAllBytes(p));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code name.200-400.http} → [200, 400]; {@code name.close.http} → []. */
  static List<Integer> expected(Path p) {
    String n = p.getFileName().toString();
    String[] parts = n.substring(0, n.length() - ".http".length()).split("\\.");
    String outcome = parts[parts.length - 1];
    return outcome.equals("close") ? List.of() : Arrays.stream(outcome.split("-")).map(Integer::valueOf).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void theProxyAnswersEachRequestProbeAsItsNameSays(Path file) throws Exception {
    List<Integer> expected = expected(file);
    int receivedBefore = harness.upstream.received.size();
    Conversation c;
    try (Socket s = RawHttp.connect(harness.proxy.port())) {
      RawHttp.send(s, Files.readAllBytes(file));
      c = RawHttp.readAll(s, expected.size());
      boolean refusedLast = !expected.isEmpty() && expected.get(expected.size() - 1) >= 400;
      if (refusedLast || expected.isEmpty()) {
        assertThat(c.closed() || RawHttp.readAll(s, 1).closed()).as("closes after a refusal").isTrue();
      }
    }
    assertThat(c.statuses()).as("what %s got back", file.getFileName()).isEqualTo(expected);
    List<Reply> fromUpstream = new ArrayList<>();
    for (Reply r : c.replies()) {
      if ("1".equals(r.headers().get("x-strict-upstream"))) {
        fromUpstream.add(r);
      } else {
        assertThat(r.headers().get("content-type")).isEqualTo("application/json");
        assertThat(r.json().has("error")).isTrue();
      }
    }
    harness.upstreamAnswers.addAndGet(fromUpstream.size());
    assertThat(harness.upstream.violations).as("malformed requests the upstream read").isEmpty();
    assertThat(harness.upstream.received.size() - receivedBefore).as("requests the upstream read")
        .isEqualTo(fromUpstream.size());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("responses")
  void theProxyPassesOnEachUpstreamResponseAsItsNameSays(Path file) throws Exception {
    int index = responseScripts.stream().map(HttpFuzz.Probe::name).toList().indexOf(file.getFileName().toString());
    Conversation c = ResponseFuzz.send(responseProxy, "/r/" + index);
    assertThat(c.statuses()).as("what the client got for %s", file.getFileName()).isEqualTo(expected(file));
    assertThat(c.closed()).isTrue();
    if (!c.replies().isEmpty() && c.replies().get(0).status() == 502) {
      assertThat(c.replies().get(0).json().get("error").asText()).isEqualTo("upstream_unavailable");
    }
  }
}
