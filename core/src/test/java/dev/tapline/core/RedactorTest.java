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
  void redactsGraphqlVariablesLikeAnyJsonBody() {
    Body body = Body.text("application/json", "{\"operationName\":\"Login\",\"query\":\"mutation Login($u: String!, $p: String!)"
        + " { login(user: $u, password: $p) { token } }\",\"variables\":{\"u\":\"ann\",\"password\":\"hunter2\","
        + "\"input\":{\"apiToken\":\"t-9\",\"card\":\"4111 1111 1111 1111\"}}}");
    Body response = Body.text("application/json", "{\"data\":{\"login\":{\"token\":\"jwt-abc\"}}}");
    Exchange r = redactor.redact(with(Headers.empty(), body, null, response));
    String text = r.request().body().textOrNull();
    assertThat(text).doesNotContain("hunter2", "t-9", "4111").contains("\"u\":\"ann\"", "mutation Login");
    assertThat(r.redactions()).contains("request.body:$.variables.password", "request.body:$.variables.input.apiToken",
        "response.body:$.data.login.token");
    assertThat(r.response().body().textOrNull()).doesNotContain("jwt-abc");
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
    assertThat(a.request().headers().first("authorization")).startsWith("Bearer [REDACTED:").isEqualTo(b.request().headers().first("authorization"));
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

  @Test
  void defaultValueRulesCanBeLeftOutByName() {
    String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
    Redactor r = Redactor.builder().removeRule("jwt").cardNumbers(false).build();
    assertThat(r.rules()).extracting(RedactionRule::name).doesNotContain("jwt", "card-number").contains("aws-access-key");
    Exchange e = with(Headers.of("X-Session", "v", "X-Id", jwt), Body.text("text/plain", "4111 1111 1111 1111"), null, Body.empty());
    Exchange out = r.redact(e);
    assertThat(out.request().headers().first("x-id")).isEqualTo(jwt);
    assertThat(out.request().body().textOrNull()).isEqualTo("4111 1111 1111 1111");
    assertThat(out.redactions()).containsExactly("request.header:x-session");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Redactor.builder().removeRule("jwts"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no default rule is named jwts").hasMessageContaining("jwt,");
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

  /** Secrets a value rule matches, by rule name: they and their halves go into the random texts. */
  private static final Map<String, List<String>> SAMPLES = Map.ofEntries(
      Map.entry("card-number", List.of("4111 1111 1111 1111", "4242-4242-4242-4242", "5555555555554444", "4111111111111112")),
      Map.entry("private-key", List.of("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
          "-----BEGIN PRIVATE KEY-----abc", "PRIVATE KEY BLOCK-----")),
      Map.entry("jwt", List.of("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln_-x", "eyJ0e.ab.", "eyJabc_-.xy")),
      Map.entry("aws-access-key", List.of("AKIAIOSFODNN7EXAMPLE", "ASIA1234567890ABCDEF")),
      Map.entry("github-token", List.of("ghp_" + "a1B2c3D4e5".repeat(4), "gho_" + "Z9y8X7w6V5".repeat(3),
          "github_pat_11ABCDEFG0123456789_abcdefghijklmnop")),
      Map.entry("gitlab-token", List.of("glpat-abcdefghij0123456789")),
      Map.entry("stripe-key", List.of("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "rk_test_abcdefghij12", "whsec_abcdefghijklmnopqrstuv")),
      Map.entry("slack-token", List.of("xoxb-123456789012-abcdef", "xoxp-1-2-3-abcdefghij")),
      Map.entry("google-api-key", List.of("AIzaSyD-abcdefghijklmnopqrstuvwxyz012", "AIza" + "x".repeat(35))),
      Map.entry("npm-token", List.of("npm_" + "abcdef0123".repeat(3) + "abcdef")),
      Map.entry("bearer-token", List.of("Bearer abc123def456", "bearer\tx-y_z.12345", "BEARER " + "t".repeat(24))),
      Map.entry("basic-credentials", List.of("Basic dXNlcjpwYXNz", "basic YWxhZGRpbjpvcGVuc2VzYW1l")),
      Map.entry("url-userinfo", List.of("https://user:pw@host/x", "s3://ak:sk@bucket", "https:\\/\\/u:p@h")),
      Map.entry("acme-key", List.of("acme_AbCdEf123456", "ACME_abcdefgh")),
      Map.entry("order-pin", List.of("opin-1234", "OPIN-9876", "opin_1234")),
      Map.entry("long-number", List.of("12345678901234567890", "1234567890 1234567890")));

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
          assertThat(matched.getOrDefault(rule.name(), 0)).as("texts %s matched in", rule).isGreaterThan(20);
        }
      }
    }
  }

  @Test
  void aLongBodyScannedInTwoHalvesFiresWhatOnePassDoes() {
    for (Redactor r : List.of(Redactor.defaults(), withAddedRules())) {
      List<String> pieces = pieces(r);
      SplittableRandom rnd = new SplittableRandom(11);
      for (int n = 0; n < 3_000; n++) {
        StringBuilder b = new StringBuilder();
        int parts = 20 + rnd.nextInt(100);
        for (int i = 0; i < parts; i++) {
          // sometimes no byte in the middle starts afresh (letters only), and the scan takes one pass
          b.append(n % 10 == 0 ? "abcPASSsecretTokenWORD".substring(rnd.nextInt(10)) : pieces.get(rnd.nextInt(pieces.size())));
        }
        byte[] bytes = b.toString().getBytes(n % 3 == 0 ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_8);
        assertThat(r.scanner().scan(bytes)).as("%s", b).isEqualTo(r.scanner().scanSerially(bytes));
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
    String[] types = {"application/json", "application/x-www-form-urlencoded", "text/plain", null,
        "multipart/form-data; boundary=XyZ", "application/json; charset=utf-16le", "text/plain; charset=UTF-16"};
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
    if (type != null && type.startsWith("multipart/")) {
      StringBuilder b = new StringBuilder();
      for (int i = rnd.nextInt(3); i >= 0; i--) {
        b.append("--XyZ\r\nContent-Disposition: form-data; name=\"").append(randomWord(pieces, rnd)).append("\"\r\n");
        if (rnd.nextBoolean()) {
          b.append("Content-Type: application/json\r\n\r\n").append(randomJson(pieces, rnd));
        } else {
          b.append("\r\n").append(randomText(pieces, rnd, 6));
        }
        b.append("\r\n");
      }
      return Body.text(type, b.append("--XyZ--\r\n").toString());
    }
    if (type != null && type.contains("utf-16le")) {
      return Body.of(type, randomJson(pieces, rnd).getBytes(StandardCharsets.UTF_16LE));
    }
    if (type != null && type.contains("UTF-16")) {
      return Body.of(type, randomText(pieces, rnd, 12).getBytes(StandardCharsets.UTF_16)); // big-endian, marked
    }
    if (rnd.nextInt(4) == 0) {
      return Body.text(type, randomText(pieces, rnd, 12));
    }
    return Body.text(type, "application/x-www-form-urlencoded".equals(type) ? randomForm(pieces, rnd) : randomJson(pieces, rnd));
  }

  private static String randomForm(List<String> pieces, SplittableRandom rnd) {
    StringBuilder b = new StringBuilder();
    for (int i = rnd.nextInt(5); i > 0; i--) {
      b.append(b.isEmpty() ? "" : "&").append(randomWord(pieces, rnd)).append(rnd.nextBoolean() ? "[]" : "")
          .append('=').append(randomText(pieces, rnd, 4).replace("&", "%26"));
    }
    return b.toString();
  }

  private static String randomJson(List<String> pieces, SplittableRandom rnd) {
    StringBuilder b = new StringBuilder("{");
    for (int i = rnd.nextInt(5); i > 0; i--) {
      String name = randomWord(pieces, rnd) + (rnd.nextBoolean() ? randomWord(pieces, rnd) : "");
      String value = randomText(pieces, rnd, 4).replace("\"", "").replace("\\", "");
      b.append(b.length() == 1 ? "" : ",").append('"').append(name.replace("\\", "")).append("\":");
      switch (rnd.nextInt(4)) {
        case 0 -> b.append(rnd.nextLong(10_000_000_000_000_000L));
        case 1 -> b.append("{\"a\":\"").append(value).append("\"}");
        case 2 -> b.append("\"{\\\"").append(randomWord(pieces, rnd).replace("\\", "")).append("\\\":\\\"")
            .append(value).append("\\\"}\""); // JSON in a JSON string
        default -> b.append('"').append(value).append('"');
      }
    }
    return b.append('}').toString();
  }

}
