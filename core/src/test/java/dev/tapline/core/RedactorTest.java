package dev.tapline.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.redact.FieldRule;
import dev.tapline.core.redact.HeaderRule;
import dev.tapline.core.redact.RedactionRule;
import dev.tapline.core.redact.Trigger;
import dev.tapline.core.redact.ValueRule;
import dev.tapline.core.testing.TestExchanges;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RedactorTest {
  private final Redactor redactor = Redactor.defaults();

  private static Exchange with(Headers reqHeaders, Body reqBody, String query, Body respBody) {
    Exchange e = TestExchanges.exchange("POST", "/login", null, reqBody, 200, respBody, query);
    return e.withRequest(new Request("POST", "http", "h", "/login", query, reqHeaders, reqBody));
  }

  @Test
  void redactsDenylistedHeadersAndRecordsTheirNames() {
    Exchange e = with(Headers.of("Authorization", "Bearer s3cr3t", "Cookie", "sid=1", "Accept", "*/*"), Body.empty(), null, Body.empty());
    Exchange r = redactor.redact(e);
    assertThat(r.request().headers().first("authorization")).isEqualTo(Redactor.MARKER);
    assertThat(r.request().headers().first("cookie")).isEqualTo(Redactor.MARKER);
    assertThat(r.request().headers().first("accept")).isEqualTo("*/*");
    assertThat(r.redactions()).contains("request.header:authorization", "request.header:cookie");
    assertThat(new String(ExchangeCodec.encode(r), StandardCharsets.UTF_8)).doesNotContain("s3cr3t");
  }

  @Test
  void redactsJsonFieldsByNameAtAnyDepth() {
    Body body = Body.text("application/json", "{\"user\":\"ann\",\"password\":\"hunter2\",\"nested\":{\"apiKey\":\"k-1\",\"items\":[{\"accessToken\":\"t\"}]}}");
    Exchange r = redactor.redact(with(Headers.empty(), body, null, Body.empty()));
    String text = r.request().body().textOrNull();
    assertThat(text).doesNotContain("hunter2", "k-1", "\"t\"").contains("\"user\":\"ann\"");
    assertThat(r.redactions()).contains("request.body:$.password", "request.body:$.nested.apiKey", "request.body:$.nested.items[*].accessToken");
  }

  @Test
  void redactsTruncatedJsonTextually() {
    Body body = new Body("application/json", null, "{\"a\":1,\"secret\":\"abc\",\"b\":[1,2".getBytes(StandardCharsets.UTF_8), true, 5000);
    Exchange r = redactor.redact(with(Headers.empty(), Body.empty(), null, body));
    assertThat(r.response().body().textOrNull()).doesNotContain("abc").contains(Redactor.MARKER);
  }

  @Test
  void redactsCardNumbersQueryAndFormFields() {
    Body form = Body.text("application/x-www-form-urlencoded", "user=a&password=p%40ss&card=4111 1111 1111 1111");
    Exchange r = redactor.redact(with(Headers.empty(), form, "token=abc&page=2", Body.text("text/plain", "card 4242-4242-4242-4242, order 1234567890123")));
    assertThat(r.request().rawQuery()).isEqualTo("token=[REDACTED]&page=2");
    assertThat(r.request().body().textOrNull()).isEqualTo("user=a&password=[REDACTED]&card=[REDACTED]");
    assertThat(r.response().body().textOrNull()).isEqualTo("card [REDACTED], order 1234567890123");
  }

  @Test
  void keyedHashCorrelatesEqualSecrets() {
    Redactor hashing = Redactor.builder().hashKey("k".getBytes(StandardCharsets.UTF_8)).build();
    Exchange a = hashing.redact(with(Headers.of("Authorization", "Bearer x"), Body.empty(), null, Body.empty()));
    Exchange b = hashing.redact(with(Headers.of("Authorization", "Bearer x"), Body.empty(), null, Body.empty()));
    assertThat(a.request().headers().first("authorization")).startsWith("[REDACTED:").isEqualTo(b.request().headers().first("authorization"));
  }

  @Test
  void leavesBinaryBodiesAlone() {
    byte[] bin = {(byte) 0xff, 0, 1};
    Exchange r = redactor.redact(with(Headers.empty(), Body.of("application/octet-stream", bin), null, Body.empty()));
    assertThat(r.request().body().bytes()).isEqualTo(bin);
  }

  @Test
  void fieldWordsMatchIgnoringCaseUnderscoresAndDashesInAsciiAndNonAsciiBodies() {
    for (String json : new String[] {
        "{\"API_KEY\":\"k-1\",\"Pass-Word\":\"hunter2\"}",
        "{\"note\":\"caf\u00e9 \u2713\",\"Api-Key\":\"k-1\",\"PASSWORD\":\"hunter2\"}"}) {
      Exchange r = redactor.redact(with(Headers.empty(), Body.text("application/json", json), null, Body.empty()));
      assertThat(r.request().body().textOrNull()).doesNotContain("k-1", "hunter2");
      assertThat(r.redactions()).hasSize(2);
    }
  }

  @Test
  void nothingToRedactReturnsTheSameExchange() {
    Exchange e = with(Headers.of("Accept", "application/json", "X-Trace", "abc"),
        Body.text("application/json", "{\"sku\":\"A-1\",\"note\":\"na\u00efve pass word\"}"), "page=2",
        Body.text("application/json", "{\"id\":42,\"total\":19.98}"));
    assertThat(redactor.redact(e)).isSameAs(e);
  }

  @Test
  void headerNamesMatchInAnyCase() {
    Exchange r = redactor.redact(with(Headers.of("AUTHORIZATION", "Bearer s3cr3t", "x-Api-Key", "k"), Body.empty(), null, Body.empty()));
    assertThat(r.request().headers().first("authorization")).isEqualTo(Redactor.MARKER);
    assertThat(r.request().headers().first("x-api-key")).isEqualTo(Redactor.MARKER);
  }

  // ---- the pre-filters: every rule's triggers fire wherever the rule matches ----

  /** A redactor with a rule of each kind added through the builder, next to the defaults. */
  private static Redactor withAddedRules() {
    return Redactor.builder()
        .addRule(ValueRule.of("acme-key", "\\bacme_[A-Za-z0-9]{8,}", Trigger.word("acme_")))
        .addRule(ValueRule.of("order-pin", "(?i)\\bopin-(\\d{4})\\b", Trigger.word("opin", (t, s, e) -> e < t.length() && (t.charAt(e) == '-' || t.charAt(e) == '_')))
            .secretGroup(1))
        .addRule(ValueRule.of("long-number", "\\d{20,}", Trigger.digits(20)))
        .addRule(FieldRule.words(List.of("mothersMaiden"), List.of("dob", "nonce")))
        .build();
  }

  /** Secrets a value rule matches, by rule name: pieces of them go into the random texts. */
  private static final Map<String, List<String>> SAMPLES = Map.of(
      "card-number", List.of("4111 1111 1111 1111", "4242-4242-4242-4242", "5555555555554444", "4111111111111112"),
      "acme-key", List.of("acme_AbCdEf123456", "ACME_abcdefgh"),
      "order-pin", List.of("opin-1234", "OPIN-9876", "opin_1234"),
      "long-number", List.of("12345678901234567890", "1234567890 1234567890"));

  /** Pieces the rules look at (their trigger words, cut, in other cases, with separators) and others. */
  private static List<String> pieces(Redactor r) {
    List<String> p = new ArrayList<>(List.of("\"", ":", "{", "}", ",", " ", "-", "_", ".", "=", "&", "/", "[", "]",
        "x", "Code", "ed", "ner", "s", "2", "9", "0", "12-", "\u00e9", "\u0130", "\u212a", "\u00c4", "\u00b0",
        "\u2019", "na\u00efve", "pinned", "spinach", "author", "description"));
    for (RedactionRule rule : r.rules()) {
      for (Trigger t : rule.triggers()) {
        if (t instanceof Trigger.Word w) {
          String x = w.text();
          p.addAll(List.of(x, x.toUpperCase(Locale.ROOT), Character.toUpperCase(x.charAt(0)) + x.substring(1)));
          if (x.length() > 1) {
            int half = x.length() / 2;
            p.addAll(List.of(x.substring(0, half), x.substring(half), x.charAt(0) + "_" + x.substring(1),
                x.substring(0, half) + "-" + x.substring(half).toUpperCase(Locale.ROOT)));
          }
        } else if (t instanceof Trigger.Digits d) {
          p.addAll(List.of("1".repeat(d.minRun() - 1), "4111", "1111", "1234"));
        }
      }
      for (String sample : SAMPLES.getOrDefault(rule.name(), List.of())) {
        p.add(sample);
        p.add(sample.substring(0, sample.length() / 2));
        p.add(sample.substring(sample.length() / 2));
      }
    }
    return p;
  }

  private static String randomText(List<String> pieces, SplittableRandom rnd, int maxParts) {
    StringBuilder b = new StringBuilder();
    int parts = rnd.nextInt(maxParts);
    for (int i = 0; i < parts; i++) {
      b.append(pieces.get(rnd.nextInt(pieces.size())));
    }
    return b.toString();
  }

  /**
   * Whether a field rule matches some name in {@code text}: any stretch of it starting and ending
   * next to a character that no name word holds (a quote, a space...), or at its ends.
   */
  private static boolean fieldRuleMatchesIn(FieldRule rule, String text) {
    List<Integer> cuts = new ArrayList<>();
    cuts.add(0);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-'))) {
        cuts.add(i);
        cuts.add(i + 1);
      }
    }
    cuts.add(text.length());
    for (int a : cuts) {
      for (int b : cuts) {
        if (a < b && rule.matches(text.substring(a, b))) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void everyRulesTriggersFireWhereverTheRuleMatchesIncludingRulesAddedThroughTheBuilder() {
    for (Redactor r : List.of(Redactor.defaults(), withAddedRules())) {
      List<String> pieces = pieces(r);
      Map<String, Integer> matched = new java.util.LinkedHashMap<>();
      SplittableRandom rnd = new SplittableRandom(42);
      for (int n = 0; n < 30_000; n++) {
        String text = randomText(pieces, rnd, 10);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (RedactionRule rule : r.rules()) {
          boolean matches = switch (rule) {
            case HeaderRule h -> false; // header names are compared, never scanned for
            case FieldRule f -> fieldRuleMatchesIn(f, text);
            case ValueRule v -> v.redact(text, secret -> "") != null;
          };
          if (matches) {
            matched.merge(rule.name(), 1, Integer::sum);
            assertThat(r.mayMatch(rule, bytes)).as("%s in the bytes of '%s'", rule, text).isTrue();
            assertThat(r.mayMatch(rule, text)).as("%s in '%s'", rule, text).isTrue();
          }
        }
      }
      for (RedactionRule rule : r.rules()) {
        if (!(rule instanceof HeaderRule)) {
          assertThat(matched.getOrDefault(rule.name(), 0)).as("texts %s matched in", rule).isGreaterThan(50);
        }
      }
    }
  }

  @Test
  void preFilteredRedactionEqualsRedactionWithEveryRuleRunEverywhere() {
    for (Redactor r : List.of(Redactor.defaults(), withAddedRules(),
        Redactor.builder().hashKey("k".getBytes(StandardCharsets.UTF_8)).build())) {
      Redactor plain = r.withoutPreFilters();
      List<String> pieces = pieces(r);
      SplittableRandom rnd = new SplittableRandom(7);
      int unchanged = 0;
      for (int n = 0; n < 5_000; n++) {
        Exchange e = randomExchange(pieces, rnd);
        Exchange fast = r.redact(e);
        assertThat(fast).as("%s", e).isEqualTo(plain.redact(e));
        if (fast == e) {
          unchanged++;
        }
      }
      assertThat(unchanged).as("exchanges left as they were").isBetween(300, 4_500);
    }
  }

  private static Exchange randomExchange(List<String> pieces, SplittableRandom rnd) {
    String[] types = {"application/json", "application/x-www-form-urlencoded", "text/plain", null};
    Body reqBody = randomBody(pieces, rnd, types[rnd.nextInt(types.length)]);
    Body respBody = randomBody(pieces, rnd, types[rnd.nextInt(types.length)]);
    String query = rnd.nextInt(3) == 0 ? null : randomWord(pieces, rnd) + "=" + randomText(pieces, rnd, 4) + "&page=2";
    Headers headers = Headers.of("Accept", "application/json", "X-Note", randomText(pieces, rnd, 5),
        rnd.nextInt(8) == 0 ? "Authorization" : "X-Other", randomText(pieces, rnd, 3));
    return with(headers, reqBody, query, respBody);
  }

  private static String randomWord(List<String> pieces, SplittableRandom rnd) {
    return pieces.get(rnd.nextInt(pieces.size())).replace("\"", "").replace("&", "").replace("=", "");
  }

  private static Body randomBody(List<String> pieces, SplittableRandom rnd, String type) {
    if (rnd.nextInt(4) == 0) {
      return Body.text(type, randomText(pieces, rnd, 12));
    }
    StringBuilder b = new StringBuilder();
    int fields = rnd.nextInt(5);
    boolean form = "application/x-www-form-urlencoded".equals(type);
    b.append(form ? "" : "{");
    for (int i = 0; i < fields; i++) {
      String name = randomWord(pieces, rnd) + (rnd.nextBoolean() ? randomWord(pieces, rnd) : "");
      String value = randomText(pieces, rnd, 4);
      if (form) {
        b.append(i == 0 ? "" : "&").append(name).append('=').append(value.replace("&", ""));
      } else {
        b.append(i == 0 ? "" : ",").append('"').append(name.replace("\\", "")).append("\":");
        switch (rnd.nextInt(4)) {
          case 0 -> b.append(rnd.nextLong(10_000_000_000_000_000L));
          case 1 -> b.append("{\"a\":\"").append(value.replace("\"", "")).append("\"}");
          default -> b.append('"').append(value.replace("\"", "").replace("\\", "")).append('"');
        }
      }
    }
    b.append(form ? "" : "}");
    return Body.text(type, b.toString());
  }
}
