package dev.tapline.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_16BE;
import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.testing.TestExchanges;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Secrets by another name: in any header, field, format and encoding, they never leave the proxy. */
class RedactorSecretsTest {
  private final Redactor redactor = Redactor.defaults();

  static final String JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbm4iLCJleHAiOjE3NjQxNTEyMDd9.Sfl_KxwRJSMeKKF2QT4fwpMeJf36POk6yJV-adQssw5c";
  static final String AWS = "AKIAIOSFODNN7EXAMPLE";
  static final String GITHUB = "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R";
  static final String GITHUB_OAUTH = "gho_16C7e42F292c6912E7710c838347Ae178B4a";
  static final String GITHUB_PAT = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEF";
  static final String STRIPE_LIVE = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
  static final String STRIPE_TEST = "sk_test_51Hx9kLmNoPqRsTuV";
  static final String STRIPE_RESTRICTED = "rk_live_51Hx9kLmNoPqRsTuVwXyZ";
  static final String SLACK = "xoxb-2148302410-8245173627-q9bTDrLzNXeQ7vJkF2sPwYh";
  static final String GOOGLE = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY";
  static final String PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq98tJ0uV3yKz\nq5Xw8Tn2ZlLzCkqG4hT1r0mbW3d\n-----END RSA PRIVATE KEY-----";
  static final String PEM_BODY = "MIIEowIBAAKCAQEA7bq98tJ0uV3yKz";

  private static Exchange exchange(String method, String path, String query, Headers reqHeaders, Body reqBody,
      Headers respHeaders, Body respBody) {
    Exchange e = TestExchanges.exchange(method, path, null, reqBody, 200, respBody, query);
    return new Exchange(e.id(), e.startedAt(), e.durationMicros(), e.service(), e.proxy(), e.routingKey(), e.target(),
        e.traceparent(), e.baggage(), new Request(method, "http", "api.example.com", path, query, reqHeaders, reqBody),
        new Response(200, respHeaders, respBody), null, e.redactions());
  }

  private static Exchange request(Headers headers, Body body) {
    return exchange("POST", "/x", null, headers, body, Headers.empty(), Body.empty());
  }

  private static Exchange response(Body body) {
    return exchange("GET", "/x", null, Headers.empty(), Body.empty(), Headers.empty(), body);
  }

  /**
   * None of {@code secrets} is anywhere in what leaves the proxy: the encoded exchange, every field
   * of it decoded again, its bodies read as UTF-8, Latin-1 and UTF-16 either way, percent-decoded.
   */
  static void assertNowhere(Exchange e, String... secrets) {
    byte[] wire = ExchangeCodec.encode(e);
    Exchange back = ExchangeCodec.decode(wire);
    List<String> seen = new ArrayList<>();
    // The id and start time are random: a short secret could be found in them by chance.
    seen.add(new String(wire, UTF_8).replace(e.id(), "ID").replace(Long.toString(e.startedAt()), "T"));
    Request r = back.request();
    seen.addAll(List.of(r.authority(), r.path(), r.uri(), percentDecoded(r.uri())));
    for (Headers hs : new Headers[] {r.headers(), back.response() == null ? Headers.empty() : back.response().headers()}) {
      hs.entries().forEach(h -> seen.add(h.name() + ": " + h.value()));
    }
    for (Body b : new Body[] {r.body(), back.response() == null ? Body.empty() : back.response().body()}) {
      for (Charset cs : new Charset[] {UTF_8, ISO_8859_1, UTF_16LE, UTF_16BE}) {
        String text = new String(b.bytes(), cs);
        seen.add(text);
        seen.add(percentDecoded(text));
      }
    }
    for (String view : seen) {
      for (String secret : secrets) {
        assertThat(view).as("what leaves the proxy").doesNotContain(secret);
      }
    }
  }

  private static String percentDecoded(String s) {
    try {
      return URLDecoder.decode(s, UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  // ---- value rules: secrets by their shape, whatever carries them ----

  @Test
  void jwtsInAnyHeaderTheQueryThePathAndTextBodies() {
    Exchange e = exchange("GET", "/reset/" + JWT, "state=" + JWT + "&page=2",
        Headers.of("X-Session", JWT, "X-Trace", "abc"), Body.empty(),
        Headers.of("X-Next", "id=" + JWT), Body.text("text/plain", "your token is " + JWT + ". Keep it."));
    Exchange r = redactor.redact(e);
    assertNowhere(r, JWT, JWT.substring(0, 40), JWT.substring(JWT.length() - 30));
    assertThat(r.request().path()).isEqualTo("/reset/[REDACTED]");
    assertThat(r.request().rawQuery()).isEqualTo("state=[REDACTED]&page=2");
    assertThat(r.request().headers().first("x-session")).isEqualTo("[REDACTED]");
    assertThat(r.request().headers().first("x-trace")).isEqualTo("abc");
    assertThat(r.response().body().textOrNull()).isEqualTo("your token is [REDACTED]. Keep it.");
    assertThat(r.redactions()).contains("request.path:jwt", "request.query:jwt", "request.header:x-session",
        "response.header:x-next", "response.body:jwt");
  }

  @Test
  void bearerAndBasicCredentialsInAnyHeader() {
    String basic = Base64.getEncoder().encodeToString("svc-user:s3cr3t-Pa55".getBytes(UTF_8));
    Exchange r = redactor.redact(request(Headers.of(
        "X-Forwarded-Authorization", "Bearer 7f9c2ba4e88f827d616045507605853e",
        "X-Upstream-Auth", "Basic " + basic,
        "X-Note", "basic plan, bearer bonds"), Body.empty()));
    assertNowhere(r, "7f9c2ba4e88f827d616045507605853e", basic, "s3cr3t-Pa55");
    assertThat(r.request().headers().first("x-forwarded-authorization")).isEqualTo("Bearer [REDACTED]");
    assertThat(r.request().headers().first("x-upstream-auth")).isEqualTo("[REDACTED]");
    assertThat(r.request().headers().first("x-note")).isEqualTo("basic plan, bearer bonds");
  }

  @Test
  void secretsInUrlsInHeadersByTheirParameterName() {
    Exchange r = redactor.redact(exchange("GET", "/x", null,
        Headers.of("Referer", "https://shop.example.com/cb?code=ok&access_token=Zm9vYmFyYmF6cXV4&page=2",
            "X-Original-Url", "/cb?q=a%20b&%74oken=ZW5jb2RlZG5hbWU"), Body.empty(),
        Headers.of("Location", "https://app.example.com/welcome#session_id=sess-91f0c2&lang=en"), Body.empty()));
    assertNowhere(r, "Zm9vYmFyYmF6cXV4", "sess-91f0c2", "ZW5jb2RlZG5hbWU");
    assertThat(r.request().headers().first("x-original-url")).isEqualTo("/cb?q=a%20b&%74oken=[REDACTED]");
    assertThat(r.request().headers().first("referer"))
        .isEqualTo("https://shop.example.com/cb?code=ok&access_token=[REDACTED]&page=2");
    assertThat(r.response().headers().first("location")).isEqualTo("https://app.example.com/welcome#session_id=[REDACTED]&lang=en");
    assertThat(r.redactions()).contains("request.header:referer", "response.header:location");
  }

  @Test
  void baggageKeepsItsRoutingKeyAndLosesItsSecretsInTheHeaderAndTheExchangesCopy() {
    String baggage = "sd-routing-key=pr-1234,session_id=s-91f0c2,tenant=acme";
    Exchange e = exchange("GET", "/x", null, Headers.of("baggage", baggage), Body.empty(), Headers.empty(), Body.empty());
    e = new Exchange(e.id(), e.startedAt(), e.durationMicros(), e.service(), e.proxy(), "pr-1234", "sandbox:pr-1234",
        null, baggage, e.request(), e.response(), null, List.of());
    Exchange r = redactor.redact(e);
    assertNowhere(r, "s-91f0c2");
    assertThat(r.baggage()).isEqualTo("sd-routing-key=pr-1234,session_id=[REDACTED],tenant=acme");
    assertThat(r.request().headers().first("baggage")).isEqualTo(r.baggage());
    assertThat(r.routingKey()).isEqualTo("pr-1234");
  }

  @Test
  void wellKnownKeyFormatsAnywhereInText() {
    String[] keys = {AWS, "ASIAY34FZKBOKMUTVV7A", GITHUB, GITHUB_OAUTH, GITHUB_PAT, STRIPE_LIVE, STRIPE_TEST,
        STRIPE_RESTRICTED, SLACK, "xoxp-1234567890-0987654321-abcdefABCDEF", GOOGLE,
        "glpat-Xy8zAb3cDe4fGh5iJk6L", "npm_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"};
    StringBuilder text = new StringBuilder("config dump\n");
    StringBuilder json = new StringBuilder("{\"keys\":[");
    for (String k : keys) {
      text.append("key ").append(k).append(" in use\n");
      json.append(json.length() > 9 ? "," : "").append('"').append(k).append('"');
    }
    Exchange r = redactor.redact(exchange("POST", "/config", null, Headers.of("X-Deploy-Key", GITHUB),
        Body.text("text/plain", text.toString()), Headers.empty(), Body.text("application/json", json.append("]}").toString())));
    assertNowhere(r, keys);
    assertThat(r.request().body().textOrNull()).startsWith("config dump\nkey [REDACTED] in use\n");
    assertThat(r.response().body().textOrNull()).startsWith("{\"keys\":[\"[REDACTED]\",\"[REDACTED]\",");
    assertThat(r.redactions()).contains("request.body:aws-access-key", "request.body:github-token",
        "request.body:stripe-key", "request.body:slack-token", "request.body:google-api-key",
        "request.body:gitlab-token", "request.body:npm-token", "response.body:aws-access-key");
  }

  @Test
  void pemPrivateKeysInJsonStringsAndText() {
    String json = "{\"name\":\"deploy\",\"key\":\"" + PEM.replace("\n", "\\n") + "\",\"enabled\":true}";
    Exchange r = redactor.redact(exchange("POST", "/keys", null, Headers.empty(), Body.text("application/json", json),
        Headers.empty(), Body.text("text/plain", "here:\n" + PEM + "\nbye")));
    assertNowhere(r, PEM_BODY, "q5Xw8Tn2ZlLzCkqG4hT1r0mbW3d");
    assertThat(r.request().body().textOrNull()).isEqualTo("{\"name\":\"deploy\",\"key\":\"[REDACTED]\",\"enabled\":true}");
    assertThat(r.response().body().textOrNull()).isEqualTo("here:\n[REDACTED]\nbye");
    assertThat(r.redactions()).contains("request.body:private-key", "response.body:private-key");
  }

  @Test
  void aTruncatedPemBlockIsRedactedToTheEnd() {
    Body cut = new Body("text/plain", null, ("key:\n" + PEM.substring(0, 60)).getBytes(UTF_8), true, 4000);
    Exchange r = redactor.redact(response(cut));
    assertNowhere(r, "MIIEowIBAAKC");
    assertThat(r.response().body().textOrNull()).isEqualTo("key:\n[REDACTED]");
  }

  @Test
  void userinfoIsStrippedFromUrlsInHeadersBodiesAndTheAuthority() {
    Exchange e = exchange("GET", "/x", null, Headers.of("Referer", "https://ann:hunter2@shop.example.com/cart"),
        Body.text("application/json", "{\"db\":\"postgres://app:Pg-p4ss@db.internal:5432/orders\","
            + "\"escaped\":\"https:\\/\\/svc:Esc-p4ss@api.example.com\\/v1\",\"mail\":\"ann@example.com\"}"),
        Headers.empty(), Body.text("text/plain", "fetch ftp://ops:Ftp-p4ss@files.example.com/x now"));
    e = e.withRequest(new Request("GET", "http", "proxyuser:Px-p4ss@api.example.com", "/x", null,
        e.request().headers(), e.request().body()));
    Exchange r = redactor.redact(e);
    assertNowhere(r, "hunter2", "Pg-p4ss", "Esc-p4ss", "Ftp-p4ss", "Px-p4ss", "proxyuser");
    assertThat(r.request().authority()).isEqualTo("api.example.com");
    assertThat(r.request().headers().first("referer")).isEqualTo("https://shop.example.com/cart");
    assertThat(r.request().body().textOrNull()).isEqualTo("{\"db\":\"postgres://db.internal:5432/orders\","
        + "\"escaped\":\"https://api.example.com/v1\",\"mail\":\"ann@example.com\"}");
    assertThat(r.response().body().textOrNull()).isEqualTo("fetch ftp://files.example.com/x now");
    assertThat(r.redactions()).contains("request.authority:url-userinfo", "request.header:referer",
        "request.body:url-userinfo", "response.body:url-userinfo");
  }

  @Test
  void cardNumbersInQueriesAreNamedToo() {
    Exchange r = redactor.redact(exchange("GET", "/pay", "card=4111111111111111&page=2", Headers.empty(),
        Body.empty(), Headers.empty(), Body.text("application/json", "{\"pan\":4242424242424242,\"total\":12.5}")));
    assertNowhere(r, "4111111111111111", "4242424242424242");
    assertThat(r.request().rawQuery()).isEqualTo("card=[REDACTED]&page=2");
    assertThat(r.response().body().textOrNull()).isEqualTo("{\"pan\":\"[REDACTED]\",\"total\":12.5}");
    assertThat(r.redactions()).contains("request.query:card-number", "response.body:card-number");
  }

  @Test
  void idsThatContainDigitRunsAreNotCardNumbers() {
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 20_000; i++) {
      String id = new java.util.UUID(random.nextLong(), random.nextLong()).toString();
      String digits = "12345678-1234-4123-8123-" + String.format("%012d", i);
      Exchange r = redactor.redact(exchange("GET", "/orders/" + id, "ref=" + digits, Headers.empty(), Body.empty(),
          Headers.empty(), Body.text("application/json", "{\"id\":\"" + id + "\",\"ref\":\"" + digits + "\",\"sku\":\"x4111111111111111\"}")));
      assertThat(r.request().path()).isEqualTo("/orders/" + id);
      assertThat(r.request().rawQuery()).isEqualTo("ref=" + digits);
      assertThat(r.redactions()).as(id + " " + digits).isEmpty();
    }
  }

  // ---- field names ----

  @Test
  void theBroaderFieldNamesAreRedactedAsWholeWordsOrAnywhere() {
    String[] secretNames = {"pwd", "pass", "pin", "cardPin", "PIN_CODE", "auth", "authToken", "session", "sessionid",
        "session_id", "JSESSIONID", "sid", "access_key", "accessKey", "secret_key", "client_secret", "refresh",
        "otp", "otpCode", "signature", "x-hub-signature", "passphrase", "cvv2", "csrf"};
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < secretNames.length; i++) {
      json.append(i == 0 ? "" : ",").append('"').append(secretNames[i]).append("\":\"v").append(i).append("-secret\"");
    }
    Exchange r = redactor.redact(request(Headers.empty(), Body.text("application/json", json.append('}').toString())));
    List<String> values = new ArrayList<>();
    for (int i = 0; i < secretNames.length; i++) {
      values.add("v" + i + "-secret");
      assertThat(r.redactions()).contains("request.body:$." + secretNames[i]);
    }
    assertNowhere(r, values.toArray(String[]::new));
  }

  @Test
  void wordsInsideOtherWordsAreNotFieldNames() {
    String json = "{\"pinned\":true,\"author\":\"Ann\",\"spinach\":2,\"inside\":1,\"opinion\":\"good\",\"passenger\":\"Bob\","
        + "\"compass\":\"N\",\"authority\":\"x\",\"possession\":1,\"sidebar\":0,\"hotpot\":1,\"refreshedAt\":\"2026-11-26\","
        + "\"className\":\"a\",\"description\":\"d\",\"bypass\":false,\"topics\":[]}";
    Exchange e = request(Headers.empty(), Body.text("application/json", json));
    assertThat(redactor.redact(e)).isSameAs(e);
  }

  @Test
  void headersNamedLikeSecretFieldsAreRedacted() {
    Exchange r = redactor.redact(exchange("GET", "/x", null,
        Headers.of("X-Session", "opaque-91f0c2", "X-Refresh-Token", "r-77aa", "X-Hub-Signature-256", "sha256=abc123",
            "Accept", "*/*"), Body.empty(),
        Headers.of("Access-Control-Allow-Credentials", "true", "X-Session-Id", "s-5"), Body.empty()));
    assertNowhere(r, "opaque-91f0c2", "r-77aa", "sha256=abc123", "s-5");
    assertThat(r.response().headers().first("access-control-allow-credentials")).isEqualTo("true");
    assertThat(redactor.isSensitiveHeader("X-Session")).isTrue();
    assertThat(redactor.isSensitiveHeader("Accept")).isFalse();
  }

  @Test
  void jsonEscapesHideNoFieldName() {
    Exchange r = redactor.redact(request(Headers.empty(),
        Body.text("application/json", "{\"pass\\u0077ord\":\"hunter2\",\"t\":\"ey\\u004a0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.sig\"}")));
    assertNowhere(r, "hunter2", "eyJ0eXAiOiJKV1QifQ");
    assertThat(r.redactions()).contains("request.body:$.password", "request.body:jwt");
  }

  // ---- formats ----

  @Test
  void jsonHeldInAJsonStringIsRedactedInside() {
    String inner = "{\"user\":\"ann\",\"password\":\"hunter2\",\"grants\":[{\"refresh_token\":\"rt-1\"}]}";
    String outer = "{\"event\":\"login\",\"payload\":" + quoted(inner) + ",\"deeper\":" + quoted("{\"x\":" + quoted(inner) + "}") + "}";
    Exchange r = redactor.redact(response(Body.text("application/json", outer)));
    assertNowhere(r, "hunter2", "rt-1");
    assertThat(r.redactions()).contains("response.body:$.payload.password",
        "response.body:$.payload.grants[*].refresh_token", "response.body:$.deeper.x.password");
    String text = r.response().body().textOrNull();
    assertThat(text).contains("\\\"user\\\":\\\"ann\\\"", "\"event\":\"login\"");
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void jsonKeepsEveryByteItDoesNotRedact() {
    String json = "{\n  \"total\" : 12.50,\n  \"big\": 1.0000000000000000001,\n  \"name\": \"caf\\u00e9\",\n"
        + "  \"password\" : \"hunter2\",\n  \"nested\": { \"apiKey\": {\"a\": [1, 2]} , \"ok\": null }\n}";
    Exchange r = redactor.redact(request(Headers.empty(), Body.text("application/json", json)));
    assertThat(r.request().body().textOrNull()).isEqualTo(json
        .replace("\"hunter2\"", "\"[REDACTED]\"").replace("{\"a\": [1, 2]}", "\"[REDACTED]\""));
  }

  @Test
  void aTruncatedJsonBodyIsRedactedUpToTheCutAndTextuallyAfter() {
    String json = "{\"user\":{\"password\":\"hunter2\"},\"session\":{\"id\":\"s-9\",\"csrf\":\"q-7";
    Exchange r = redactor.redact(response(new Body("application/json", null, json.getBytes(UTF_8), true, 9000)));
    assertNowhere(r, "hunter2", "s-9", "q-7");
    assertThat(r.redactions()).contains("response.body:$.user.password", "response.body:$..session");
  }

  @Test
  void plainTextBodiesGetValueRulesAndNamedAssignments() {
    String log = "2026-11-26T10:00:00Z login user=ann password=hunter2 ip=10.0.0.1\n"
        + "api_key: \"k-9f8e7d\" from AKIAIOSFODNN7EXAMPLE via Bearer 6d1f0a9be27c44d3\n";
    Exchange r = redactor.redact(response(Body.text("text/plain; charset=utf-8", log)));
    assertNowhere(r, "hunter2", "k-9f8e7d", AWS, "6d1f0a9be27c44d3");
    assertThat(r.response().body().textOrNull()).isEqualTo("2026-11-26T10:00:00Z login user=ann password=[REDACTED] ip=10.0.0.1\n"
        + "api_key: \"[REDACTED]\" from [REDACTED] via Bearer [REDACTED]\n");
    assertThat(r.redactions()).contains("response.body:password", "response.body:api_key",
        "response.body:aws-access-key", "response.body:bearer-token");
  }

  @Test
  void formBodiesWithRepeatedNamesArraysAndEncodedNames() {
    String form = "user=ann&password=one&password=two&pin[]=1111&pin[]=2222&user%5Bpassword%5D=three"
        + "&pass%77ord=four&note=see+Bearer+9b8c7d6e5f4a3b2c&redirect=https%3A%2F%2Fx.example%2F%3Ftoken%3Dfive";
    Exchange r = redactor.redact(request(Headers.empty(), Body.text("application/x-www-form-urlencoded", form)));
    assertNowhere(r, "one", "two", "1111", "2222", "three", "four", "9b8c7d6e5f4a3b2c", "five");
    assertThat(r.request().body().textOrNull()).isEqualTo("user=ann&password=[REDACTED]&password=[REDACTED]"
        + "&pin[]=[REDACTED]&pin[]=[REDACTED]&user%5Bpassword%5D=[REDACTED]&pass%77ord=[REDACTED]"
        + "&note=[REDACTED]&redirect=[REDACTED]");
    assertThat(r.redactions()).contains("request.body:password", "request.body:pin[]", "request.body:user[password]",
        "request.body:bearer-token", "request.body:token");
  }

  @Test
  void multipartPartsByNameAndByValueWithFilesKeptByteForByte() {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 0, (byte) 0xff, 'p', 'a', 's', 's', 'w', 'o', 'r', 'd'};
    String head = "--b0undary\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nann\r\n"
        + "--b0undary\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nhunter2\r\n"
        + "--b0undary\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n"
        + "{\"otp\":\"492817\",\"note\":\"n\"}\r\n"
        + "--b0undary\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nmy key is " + STRIPE_LIVE + "\r\n"
        + "--b0undary\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n";
    String tail = "\r\n--b0undary--\r\n";
    byte[] body = concat(head.getBytes(UTF_8), png, tail.getBytes(UTF_8));
    Exchange r = redactor.redact(request(Headers.empty(), Body.of("multipart/form-data; boundary=b0undary", body)));
    assertNowhere(r, "hunter2", "492817", STRIPE_LIVE);
    byte[] expected = concat(head.replace("hunter2", "[REDACTED]").replace("\"492817\"", "\"[REDACTED]\"")
        .replace(STRIPE_LIVE, "[REDACTED]").getBytes(UTF_8), png, tail.getBytes(UTF_8));
    assertThat(r.request().body().bytes()).isEqualTo(expected);
    assertThat(r.redactions()).contains("request.body:password", "request.body:meta.otp", "request.body:stripe-key");
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void utf16BodiesWithAndWithoutAByteOrderMarkOrByCharset() {
    String json = "{\"user\":\"ann\",\"password\":\"hunter2\",\"note\":\"caf\u00e9 " + JWT + "\"}";
    byte[] leMarked = concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, json.getBytes(UTF_16LE));
    byte[] beMarked = json.getBytes(java.nio.charset.StandardCharsets.UTF_16); // big-endian with its mark
    byte[] leBare = json.getBytes(UTF_16LE);
    byte[] beBare = json.getBytes(UTF_16BE);
    Object[][] cases = {
        {"application/json", leMarked, UTF_16LE}, {"application/json", beMarked, UTF_16BE},
        {"application/json", leBare, UTF_16LE}, {null, beBare, UTF_16BE},
        {"application/json; charset=UTF-16", beBare, UTF_16BE}, {"text/plain; charset=utf-16le", leBare, UTF_16LE}};
    for (Object[] c : cases) {
      Exchange r = redactor.redact(request(Headers.empty(), Body.of((String) c[0], (byte[]) c[1])));
      assertNowhere(r, "hunter2", JWT.substring(0, 30));
      byte[] out = r.request().body().bytes();
      int mark = ((byte[]) c[1])[0] == (byte) 0xFF || ((byte[]) c[1])[0] == (byte) 0xFE ? 2 : 0;
      assertThat(java.util.Arrays.copyOf(out, mark)).isEqualTo(java.util.Arrays.copyOf((byte[]) c[1], mark));
      String text = new String(out, mark, out.length - mark, (Charset) c[2]);
      assertThat(text).as("%s", c[0]).contains("\"user\":\"ann\"", "caf\u00e9").doesNotContain("hunter2");
      assertThat(r.redactions()).contains("request.body:$.password", "request.body:jwt");
    }
  }

  @Test
  void aUtf8BodyLabelledUtf16IsReadAsUtf8() {
    Exchange r = redactor.redact(request(Headers.empty(),
        Body.text("application/json; charset=utf-16", "{\"password\":\"hunter2\",\"n\":\"caf\u00e9\"}")));
    assertNowhere(r, "hunter2");
    assertThat(r.request().body().textOrNull()).isEqualTo("{\"password\":\"[REDACTED]\",\"n\":\"caf\u00e9\"}");
  }

  @Test
  void pathSegmentsThatAreSecretsAndMatrixSessionIds() {
    Exchange r = redactor.redact(exchange("GET", "/v1/keys/" + AWS + "/cart;jsessionid=9A8B7C6D/items/42", null,
        Headers.empty(), Body.empty(), Headers.empty(), Body.empty()));
    assertNowhere(r, AWS, "9A8B7C6D");
    assertThat(r.request().path()).isEqualTo("/v1/keys/[REDACTED]/cart;jsessionid=[REDACTED]/items/42");
    assertThat(r.redactions()).contains("request.path:aws-access-key", "request.path:jsessionid");
  }

  // ---- markers ----

  @Test
  void withAHashKeyEveryMarkerIsKeyedAndEqualSecretsStayEqual() {
    Redactor hashing = Redactor.builder().hashKey("k".getBytes(UTF_8)).build();
    String token = "9f2c1e7a5b3d4c6e8f0a";
    Exchange r = hashing.redact(exchange("POST", "/t/" + JWT, "access_token=" + token,
        Headers.of("Authorization", "Bearer " + token, "X-Other", "Bearer " + token), Body.empty(),
        Headers.empty(), Body.text("application/json", "{\"access_token\":\"" + token + "\",\"id_token\":\"" + JWT + "\"}")));
    String marker = r.request().headers().first("authorization").substring("Bearer ".length());
    assertThat(marker).matches("\\[REDACTED:[0-9a-f]{12}\\]");
    assertThat(r.request().headers().first("authorization")).isEqualTo("Bearer " + marker);
    assertThat(r.request().headers().first("x-other")).isEqualTo("Bearer " + marker);
    assertThat(r.request().rawQuery()).isEqualTo("access_token=" + marker);
    assertThat(r.response().body().textOrNull()).contains("\"access_token\":\"" + marker + "\"");
    String jwtMarker = r.request().path().substring(3);
    assertThat(jwtMarker).matches("\\[REDACTED:[0-9a-f]{12}\\]").isNotEqualTo(marker);
    assertThat(r.response().body().textOrNull()).contains("\"id_token\":\"" + jwtMarker + "\"");
    assertNowhere(r, token, JWT.substring(0, 30));
  }

  @Test
  void withAHashKeyCookiesKeepTheirNamesAndASetCookieItsAttributesSoALoginLinksToItsUse() {
    Redactor hashing = Redactor.builder().hashKey("k".getBytes(UTF_8)).build();
    Exchange login = hashing.redact(exchange("POST", "/web/session", null, Headers.of("Cookie", "theme=dark"),
        Body.text("application/x-www-form-urlencoded", "username=ann&password=s3cret-pw"),
        Headers.of("Set-Cookie", "SID=\"31d4d96e407aad42\"; Path=/web; Max-Age=600; HttpOnly; SameSite=Lax",
            "Set-Cookie", "lang=en-US; Expires=Wed, 09 Jun 2027 10:18:14 GMT; x-secret=abc123"),
        Body.text("application/json", "{\"access_token\":\"tok-8f2a9c1e7b\",\"token_type\":\"Bearer\"}")));
    Exchange use = hashing.redact(exchange("GET", "/web/profile", null,
        Headers.of("Cookie", "SID=31d4d96e407aad42; lang=en-US", "Authorization", "Bearer tok-8f2a9c1e7b"),
        Body.empty(), Headers.empty(), Body.empty()));
    String setCookie = login.response().headers().all("set-cookie").get(0);
    assertThat(setCookie).matches("SID=\\[REDACTED:[0-9a-f]{12}\\]; Path=/web; Max-Age=600; HttpOnly; SameSite=Lax");
    String sid = setCookie.substring(4, setCookie.indexOf(';'));
    assertThat(login.response().headers().all("set-cookie").get(1))
        .matches("lang=\\[REDACTED:[0-9a-f]{12}\\]; Expires=Wed, 09 Jun 2027 10:18:14 GMT; x-secret=\\[REDACTED:[0-9a-f]{12}\\]");
    assertThat(use.request().headers().first("cookie")).matches("SID=\\[REDACTED:[0-9a-f]{12}\\]; lang=\\[REDACTED:[0-9a-f]{12}\\]")
        .startsWith("SID=" + sid + ";");
    String token = use.request().headers().first("authorization").substring("Bearer ".length());
    assertThat(login.response().body().textOrNull()).contains("\"access_token\":\"" + token + "\"");
    assertThat(login.request().body().textOrNull()).matches("username=ann&password=\\[REDACTED:[0-9a-f]{12}\\]");
    assertNowhere(login, "31d4d96e407aad42", "s3cret-pw", "tok-8f2a9c1e7b", "abc123");
    assertNowhere(use, "31d4d96e407aad42", "tok-8f2a9c1e7b");
    // A cookie cleared on logout has nothing to hide.
    Exchange logout = hashing.redact(exchange("DELETE", "/web/session", null, Headers.empty(), Body.empty(),
        Headers.of("Set-Cookie", "SID=; Path=/web; Max-Age=0"), Body.empty()));
    assertThat(logout.response().headers().first("set-cookie")).isEqualTo("SID=; Path=/web; Max-Age=0");
  }

  // ---- what stays ----

  @Test
  void anOrdinaryOrderStaysByteIdentical() {
    String order = "{\"id\":\"0190f1c2-7a4b-7c3d-9e8f-1a2b3c4d5e6f\",\"number\":\"ORD-2026-101042\",\"status\":\"SHIPPED\","
        + "\"createdAt\":\"2026-11-26T10:00:00.123Z\",\"updatedAt\":\"2026-11-27T08:15:42+01:00\",\"placedAtMs\":1764151207001,"
        + "\"author\":\"Ann Author\",\"pinned\":true,\"description\":\"Basic plan, bearer of good news; private key ring\","
        + "\"customer\":{\"email\":\"ann@example.com\",\"phone\":\"+1 415 555 0123\",\"region\":\"Asia\"},"
        + "\"items\":[{\"sku\":\"SKU-1042-B\",\"name\":\"Spinach & feta\",\"unitPrice\":19.99,\"quantity\":2},"
        + "{\"sku\":\"GHP-2210\",\"name\":\"Widget\",\"unitPrice\":149.50,\"quantity\":1}],"
        + "\"links\":{\"self\":\"https://api.example.com/orders/1042?expand=items\",\"ui\":\"https:\\/\\/shop.example.com\\/o\\/1042\"},"
        + "\"tracking\":\"1Z999AA10123456784\",\"total\":189.48,\"currency\":\"EUR\",\"version\":7}";
    Exchange e = exchange("GET", "/orders/0190f1c2-7a4b-7c3d-9e8f-1a2b3c4d5e6f", "expand=items&page=2",
        Headers.of("Accept", "application/json", "User-Agent", "okhttp/4.12.0",
            "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "sd-routing-key", "pr-1234"),
        Body.empty(), Headers.of("Content-Type", "application/json", "ETag", "\"33a64df551425fcc55e4d42a148795d0f3f5f2b1\""),
        Body.text("application/json", order));
    assertThat(redactor.redact(e)).isSameAs(e);
    // and also when something else in the body is redacted: only that changes
    String withSecret = order.replace("\"version\":7}", "\"version\":7,\"password\":\"hunter2\"}");
    Exchange r = redactor.redact(response(Body.text("application/json", withSecret)));
    assertThat(r.response().body().textOrNull()).isEqualTo(withSecret.replace("hunter2", "[REDACTED]"));
    assertThat(r.redactions()).containsExactly("response.body:$.password");
  }
}
