package dev.tapline.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.junit.jupiter.api.Test;

class TermTokenizerTest {
  private static final Analyzer WORDS = TermTokenizer.analyzer(TermTokenizer.Rule.WORDS, TermTokenizer.Mode.ALL);
  private static final Analyzer SEPARATED = TermTokenizer.analyzer(TermTokenizer.Rule.SEPARATED, TermTokenizer.Mode.ALL);
  private static final Analyzer DISTINCT_WORDS = TermTokenizer.analyzer(TermTokenizer.Rule.WORDS, TermTokenizer.Mode.DISTINCT);

  @Test
  void idsEmailsTimeStampsAndPricesAreOneTermEach() {
    assertThat(terms(WORDS, "{\"id\":\"22F083C2-801d-4d66-986d-9cff7b2293f2\",\"email\":\"Customer42@Example.com\","
        + "\"sku\":\"SKU-1042-A\",\"at\":\"2026-11-26T05:26:08.057Z\",\"price\":74.01,\"v\":\"1.4.2\"}"))
        .containsExactly("id", "22f083c2-801d-4d66-986d-9cff7b2293f2", "email", "customer42@example.com", "sku",
            "sku-1042-a", "at", "2026-11-26t05:26:08.057z", "price", "74.01", "v", "1.4.2");
  }

  @Test
  void punctuationThatDoesNotJoinTwoWordCharactersSplits() {
    assertThat(terms(WORDS, "Item is out of stock. Retry -- later: /orders/42?page=2 don't snake_case a..b -x- @home"))
        .containsExactly("item", "is", "out", "of", "stock", "retry", "later", "orders", "42", "page", "2", "don't",
            "snake_case", "a", "b", "x", "home");
  }

  @Test
  void unicodeLettersAreWordsAndEachIdeographIsATerm() {
    // Deseret capitals (outside the BMP) lower-case to Deseret small letters
    assertThat(terms(WORDS, "Größe ÉTÉ naïve-café 東京駅 ok \uD801\uDC00\uD801\uDC01 x"))
        .containsExactly("größe", "été", "naïve-café", "東", "京", "駅", "ok", "\uD801\uDC28\uD801\uDC29", "x");
  }

  @Test
  void aVeryLongRunIsCutIntoTermsOfAtMost255Chars() {
    String run = "a".repeat(600);
    List<String> t = terms(WORDS, run + " end");
    assertThat(t).hasSize(4);
    assertThat(t.get(0)).hasSize(255);
    assertThat(t.get(2)).hasSize(90);
    assertThat(t.get(3)).isEqualTo("end");
  }

  @Test
  void offsetsPointIntoTheOriginalText() throws IOException {
    String text = "  Hello, Wörld-1 ";
    List<String> spans = new ArrayList<>();
    try (TokenStream ts = WORDS.tokenStream(Fields.BODY, text)) {
      OffsetAttribute o = ts.addAttribute(OffsetAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        spans.add(text.substring(o.startOffset(), o.endOffset()));
      }
      ts.end();
      assertThat(o.endOffset()).isEqualTo(text.length());
    }
    assertThat(spans).containsExactly("Hello", "Wörld-1");
  }

  @Test
  void headersSplitOnlyOnWhitespaceAndValueSeparators() {
    assertThat(terms(SEPARATED, "Content-Type application/json; charset=UTF-8\nX-Request-Id Ab-12\n"
        + "baggage sd-routing-key=sandbox-1,tenant=acme\ntraceparent 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        .containsExactly("content-type", "application/json", "charset", "utf-8", "x-request-id", "ab-12", "baggage",
            "sd-routing-key", "sandbox-1", "tenant", "acme", "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  }

  @Test
  void queriesAreNormalizedTheSameWay() {
    assertThat(WORDS.normalize(Fields.BODY, "SKU-10*").utf8ToString()).isEqualTo("sku-10*");
  }

  @Test
  void theTokenizerIsReusedAcrossTexts() {
    for (int i = 0; i < 3; i++) {
      assertThat(terms(WORDS, "x".repeat(100_000) + " Tail" + i)).endsWith("tail" + i);
      assertThat(terms(WORDS, "")).isEmpty();
      assertThat(terms(WORDS, "Small " + i)).containsExactly("small", String.valueOf(i));
    }
  }

  @Test
  void atIndexTimeEachTermOfATextComesOnceWhateverItsCase() {
    assertThat(terms(DISTINCT_WORDS, "{\"sku\":\"A-1\",\"qty\":2},{\"SKU\":\"a-1\",\"qty\":3},{\"Sku\":\"B-2\",\"qty\":2}"))
        .containsExactly("sku", "a-1", "qty", "2", "3", "b-2");
    // Terms that are not ASCII are handed on as they come; Lucene keeps one of each all the same.
    assertThat(terms(DISTINCT_WORDS, "Été été ÉTÉ ok OK")).containsExactly("été", "été", "été", "ok");
    // The next text starts afresh.
    assertThat(terms(DISTINCT_WORDS, "ok sku")).containsExactly("ok", "sku");
  }

  @Test
  void distinctTermsMatchAllTermsAsASetForLargeTexts() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
    for (int round = 0; round < 3; round++) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 20_000; i++) { // enough distinct words to grow the table many times
        text.append(rnd.nextBoolean() ? "W" : "w").append(rnd.nextInt(round == 1 ? 50 : 9_000)).append(' ');
      }
      List<String> all = terms(WORDS, text.toString());
      List<String> distinct = terms(DISTINCT_WORDS, text.toString());
      assertThat(distinct).doesNotHaveDuplicates().containsExactlyElementsOf(new java.util.LinkedHashSet<>(all));
    }
  }

  private static List<String> terms(Analyzer a, String text) {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = a.tokenStream(Fields.BODY, text)) {
      CharTermAttribute t = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(t.toString());
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
