package dev.tapline.recorder;

import static dev.tapline.recorder.Fixtures.exchange;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.api.Page;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies are indexed without positions; a phrase is confirmed against the stored bodies and must
 * give the answer an index with positions gives, through search pages, counts and export.
 */
class PhraseQueryTest {
  @TempDir static Path dir;
  static ExchangeIndex index;
  static final List<Exchange> exchanges = new ArrayList<>();
  static final long T0 = dev.tapline.core.Ids.nowMicros() - 3_600_000_000L;

  // Every third body has the phrase; every third has its words in another order (a candidate the
  // index finds but the phrase does not match); the rest has none of them.
  static final String[] BODIES = {
      "{\"error\":\"sku 7 is out of stock\"}",
      "{\"note\":\"stock ran out of the usual supplier\"}",
      "{\"note\":\"all fine\"}",
  };

  @BeforeAll
  static void index() throws Exception {
    index = ExchangeIndex.open(dir.resolve("index"), false, Duration.ofMillis(50), new SimpleMeterRegistry());
    for (int i = 0; i < 300; i++) {
      Exchange e = exchange("orders", null, "POST", "/orders", 200, i % 5 == 0 ? "{\"ask\":\"out of stock?\"}" : "",
          BODIES[i % 3], T0 + i * 1_000L);
      exchanges.add(e);
      byte[] source = ExchangeCodec.encode(e);
      index.put(e.id(), IndexSchema.document(e, source, i));
      if (i % 70 == 0) {
        index.refresh(); // several segments
      }
    }
    index.markIndexedThrough(299);
    index.refresh();
  }

  @AfterAll
  static void close() {
    index.close();
  }

  private static List<String> newestFirst(IntPredicate which) {
    List<String> out = new ArrayList<>();
    for (int i = exchanges.size() - 1; i >= 0; i--) {
      if (which.test(i)) {
        out.add(exchanges.get(i).id());
      }
    }
    return out;
  }

  /** Every page of {@code q}, {@code limit} at a time, following cursors. */
  private static List<String> allPages(String q, int limit) throws Exception {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    do {
      Page p = index.search(q, limit, cursor);
      p.items().forEach(s -> ids.add(s.id()));
      cursor = p.nextCursor();
    } while (cursor != null);
    return ids;
  }

  @Test
  void aPhraseMatchesOnlyWhereItsWordsStandInOrder() throws Exception {
    List<String> expected = newestFirst(i -> i % 3 == 0 || i % 5 == 0);
    assertThat(allPages("body:\"out of stock\"", 7)).isEqualTo(expected);
    assertThat(allPages("\"out of stock\"", 1000)).isEqualTo(expected);
    assertThat(index.count("body:\"out of stock\"")).isEqualTo(expected.size());
    // The words alone find the exchanges that hold them anywhere.
    assertThat(index.count("body:out AND body:of AND body:stock")).isEqualTo(newestFirst(i -> i % 3 < 2 || i % 5 == 0).size());
  }

  @Test
  void aPhraseDoesNotRunFromOneBodyIntoTheNext() throws Exception {
    // Request bodies end in "stock"; most response bodies start with "note".
    assertThat(index.count("body:stock AND body:note")).isPositive();
    assertThat(allPages("body:\"stock note\"", 50)).isEmpty();
    assertThat(allPages("body:\"stock note\"~1", 50)).isEmpty();
  }

  @Test
  void slopAllowsWordsBetweenAndOutOfOrder() throws Exception {
    assertThat(allPages("body:\"stock supplier\"", 50)).isEmpty();
    assertThat(allPages("body:\"stock supplier\"~4", 50)).isEmpty();
    assertThat(allPages("body:\"stock supplier\"~5", 50)).isEqualTo(newestFirst(i -> i % 3 == 1));
    // Two words swapped need a slop of 2; "out of stock" read as "stock out" needs 3.
    assertThat(allPages("body:\"stock out\"", 50)).isEmpty();
    assertThat(allPages("body:\"stock out\"~2", 50)).isEqualTo(newestFirst(i -> i % 3 == 1));
    assertThat(allPages("body:\"stock out\"~3", 50)).isEqualTo(newestFirst(i -> i % 3 < 2 || i % 5 == 0));
  }

  @Test
  void phrasesCombineWithOtherClauses() throws Exception {
    assertThat(allPages("NOT body:\"out of stock\"", 11)).isEqualTo(newestFirst(i -> !(i % 3 == 0 || i % 5 == 0)));
    assertThat(allPages("body:\"out of stock\" OR body:fine", 13)).isEqualTo(newestFirst(i -> i % 3 != 1 || i % 5 == 0));
    assertThat(allPages("body:\"out of stock\" AND body:\"all fine\"", 13)).isEqualTo(newestFirst(i -> i % 3 == 2 && i % 5 == 0));
    assertThat(allPages("method:POST AND body:\"ran out\" AND NOT body:ask", 20)).isEqualTo(newestFirst(i -> i % 3 == 1 && i % 5 != 0));
    assertThat(allPages("method:POST AND NOT body:\"ran out\" AND NOT (body:fine OR body:\"stock ran\")", 9))
        .isEqualTo(newestFirst(i -> i % 3 == 0));
  }

  @Test
  void exportWritesEveryConfirmedExchangeOldestFirst() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = index.export("body:\"out of stock\"", out);
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    List<String> expected = IntStream.range(0, 300).filter(i -> i % 3 == 0 || i % 5 == 0)
        .mapToObj(i -> exchanges.get(i).id()).toList();
    assertThat(n).isEqualTo(expected.size());
    assertThat(lines.stream().map(l -> ExchangeCodec.decode(l.getBytes(StandardCharsets.UTF_8)).id()).toList())
        .isEqualTo(expected);
  }
}
