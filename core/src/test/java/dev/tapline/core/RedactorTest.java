package dev.tapline.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.testing.TestExchanges;
import java.nio.charset.StandardCharsets;
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

  @Test
  void theOnePassByteScanAgreesWithTheTextRules() {
    // Random bodies built from the pieces the rules look at: words, their parts, separators,
    // digits, spaces and dashes between digits, upper case, and now and then a non-ASCII byte.
    String[] pieces = {"pass", "word", "PassWord", "pass_word", "pass-wd", "secret", "tok", "en", "api", "Key",
        "private", "-", "_", " ", "4111", "1111", "\"", ":", "{", "}", ",", "9", "0", "12-", "x", "é", "cvv", "pin"};
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
    for (int n = 0; n < 50_000; n++) {
      StringBuilder b = new StringBuilder();
      int parts = rnd.nextInt(12);
      for (int i = 0; i < parts; i++) {
        b.append(pieces[rnd.nextInt(pieces.length)]);
      }
      String text = b.toString();
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      for (boolean cards : new boolean[] {true, false}) {
        boolean expected = Body.isAscii(bytes) && !Redactor.containsDefaultWord(text)
            && !(cards && Redactor.mayHoldCardNumber(text));
        assertThat(Redactor.plainlyClean(bytes, cards)).as("%s (cards %s)", text, cards).isEqualTo(expected);
      }
    }
  }
}
