package dev.tapline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExchangeCodecTest {

  private static Exchange sample(Body reqBody, Body respBody, Headers respHeaders) {
    return new Exchange("0190b1a2-0000-7000-8000-000000000001", 1_764_000_000_000_000L, 1500,
        "orders", "proxy-1", "demo-v2", "sandbox:demo-v2", "00-abc-def-01", "sd-routing-key=demo-v2",
        new Request("POST", "http", "localhost:8080", "/orders", "a=1&b=%20", Headers.of("Content-Type", "application/json"), reqBody),
        new Response(201, respHeaders, respBody), null, List.of("request.header:authorization"));
  }

  @Test
  void roundTripsTextBodiesAsReadableText() {
    Exchange e = sample(Body.text("application/json", "{\"name\":\"Zoë ☕\"}"), Body.text("application/json", "{}"), Headers.empty());
    String json = new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8);
    assertThat(json).contains("\"text\":\"{\\\"name\\\":\\\"Zoë ☕\\\"}\"").doesNotContain("\n");
    assertThat(ExchangeCodec.decode(json)).isEqualTo(e);
  }

  @Test
  void escapesControlCharactersQuotesAndLineBreaksInTextBodies() {
    String text = "line1\r\nline2\t\"q\" back\\slash \u0001\u001f \u00e9 \ud83d\ude00 \u2028";
    Exchange e = sample(Body.text("text/plain", text), Body.text("text/plain", "ascii only \"quoted\"\n"), Headers.empty());
    byte[] wire = ExchangeCodec.encode(e);
    String json = new String(wire, StandardCharsets.UTF_8);
    assertThat(json).doesNotContain("\n", "\r").contains("line1\\r\\nline2\\t\\\"q\\\"");
    assertThat(ExchangeCodec.decode(wire)).isEqualTo(e);
  }

  @Test
  void roundTripsBinaryAndNonUtf8BodiesByteForByte() {
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    byte[] latin1 = "café".getBytes(StandardCharsets.ISO_8859_1);
    Exchange e = sample(Body.of("application/octet-stream", binary), Body.of("text/plain; charset=iso-8859-1", latin1), Headers.empty());
    String json = new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8);
    assertThat(json).contains("\"base64\"");
    Exchange back = ExchangeCodec.decode(json);
    assertThat(back.request().body().bytes()).isEqualTo(binary);
    assertThat(back.response().body().bytes()).isEqualTo(latin1);
    assertThat(back).isEqualTo(e);
  }

  @Test
  void roundTripsTheProtocolTrailersAndGrpcBodiesAsBinary() {
    // A gRPC message: flag 0, length 7, then protobuf bytes that happen to be ASCII.
    byte[] message = {0, 0, 0, 0, 7, 0x0a, 0x05, 'h', 'e', 'l', 'l', 'o'};
    Exchange plain = sample(Body.of("application/grpc", message), Body.of("application/grpc+proto", message),
        Headers.of("content-type", "application/grpc"));
    Exchange e = new Exchange(plain.id(), plain.startedAt(), plain.durationMicros(), plain.service(), plain.proxy(),
        plain.routingKey(), plain.target(), plain.traceparent(), plain.baggage(), plain.request(),
        new Response(200, plain.response().headers(), plain.response().body(),
            Headers.of("grpc-status", "0", "grpc-message", "")), null, plain.redactions(), Exchange.HTTP_2);
    String json = new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8);
    assertThat(json).contains("\"protocol\":\"HTTP/2\"", "\"trailers\":[[\"grpc-status\",\"0\"]")
        .doesNotContain("\"text\"");
    assertThat(ExchangeCodec.decode(json)).isEqualTo(e);
    // Written without them, as before: an exchange without a protocol or trailers reads back as such.
    String old = new String(ExchangeCodec.encode(plain), StandardCharsets.UTF_8);
    assertThat(old).doesNotContain("\"protocol\"", "\"trailers\"");
    assertThat(ExchangeCodec.decode(old).protocol()).isNull();
    assertThat(ExchangeCodec.decode(old).response().trailers().isEmpty()).isTrue();
  }

  @Test
  void encodingsOnOneThreadShareNothingAfterTheyReturn() {
    // The codec reuses one buffer per thread: a large exchange, then a small one, then the large again.
    String big = "x".repeat(3 * 1024 * 1024);
    Exchange large = sample(Body.text("text/plain", big), Body.text("application/json", "{}"), Headers.empty());
    Exchange small = sample(Body.text("application/json", "{\"a\":1}"), Body.empty(), Headers.empty());
    byte[] first = ExchangeCodec.encode(large);
    byte[] second = ExchangeCodec.encode(small);
    byte[] third = ExchangeCodec.encode(large);
    assertThat(ExchangeCodec.decode(first)).isEqualTo(large);
    assertThat(ExchangeCodec.decode(second)).isEqualTo(small);
    assertThat(third).isEqualTo(first).isNotSameAs(first);
    assertThat(second.length).isLessThan(1024);
  }

  @Test
  void roundTripsEmptyBodiesAndTruncation() {
    Body truncated = new Body("text/plain", "gzip", "abc".getBytes(StandardCharsets.UTF_8), true, 1_000_000);
    Exchange e = sample(Body.empty(), truncated, Headers.empty());
    Exchange back = ExchangeCodec.decode(ExchangeCodec.encode(e));
    assertThat(back.request().body().isEmpty()).isTrue();
    assertThat(back.response().body()).isEqualTo(truncated);
  }

  @Test
  void keepsRepeatedHeadersInOrder() {
    Headers h = Headers.of("Set-Cookie", "a=1", "X-Trace", "t", "Set-Cookie", "b=2", "set-cookie", "c=3");
    Exchange back = ExchangeCodec.decode(ExchangeCodec.encode(sample(Body.empty(), Body.empty(), h)));
    assertThat(back.response().headers().entries()).isEqualTo(h.entries());
    assertThat(back.response().headers().all("set-cookie")).containsExactly("a=1", "b=2", "c=3");
  }

  @Test
  void roundTripsErrorsWithoutResponse() {
    Exchange e = new Exchange("id-1", 1, 2, "orders", "p", null, "baseline", null, null,
        new Request("GET", "http", "h", "/x", null, Headers.empty(), Body.empty()), null,
        new ExchangeError(ExchangeError.Kind.REFUSED, "connection refused: 127.0.0.1:1"), List.of());
    assertThat(ExchangeCodec.decode(ExchangeCodec.encode(e))).isEqualTo(e);
  }

  @Test
  void ignoresUnknownFieldsFromNewerWriters() {
    Exchange e = sample(Body.empty(), Body.text("text/plain", "ok"), Headers.empty());
    String json = new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8);
    String newer = json.replace("{\"v\":1,", "{\"v\":2,\"futureField\":{\"x\":[1,2]},")
        .replace("\"method\":\"POST\"", "\"method\":\"POST\",\"http2Stream\":7");
    assertThat(ExchangeCodec.decode(newer)).isEqualTo(e);
  }

  @Test
  void rejectsWrongShapesNamingTheField() {
    assertThatThrownBy(() -> ExchangeCodec.decode("not json")).hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> ExchangeCodec.decode("[1,2]")).hasMessageContaining("JSON object");
    assertThatThrownBy(() -> ExchangeCodec.decode("{\"v\":1,\"id\":\"x\"}")).hasMessageContaining("request");
    assertThatThrownBy(() -> ExchangeCodec.decode("{\"id\":\"x\"}")).hasMessageContaining("\"v\"");
  }

  @Test
  void readsFieldsInAnyOrderSkippingUnknownValuesOfEveryShape() {
    String json = "{\"redactions\":[\"request.header:authorization\"],\"future\":[{\"a\":[1,{\"b\":null}]},\"x\"],"
        + "\"response\":{\"body\":{\"size\":9,\"text\":\"{\\\"ok\\\":1}\",\"extra\":{\"deep\":[true]}},\"status\":200,"
        + "\"headers\":[[\"A\",\"1\"]],\"trailers\":[[\"x\",\"y\"]]},"
        + "\"request\":{\"path\":\"/o/1\",\"method\":\"GET\",\"headers\":null,\"body\":null},"
        + "\"target\":\"baseline\",\"service\":\"orders\",\"durationMicros\":7,\"startedAt\":5,\"id\":\"first\","
        + "\"id\":\"last wins\",\"v\":3}";
    Exchange e = ExchangeCodec.decode(json);
    assertThat(e.id()).isEqualTo("last wins");
    assertThat(e.startedAt()).isEqualTo(5);
    assertThat(e.durationMicros()).isEqualTo(7);
    assertThat(e.proxy()).isEmpty();
    assertThat(e.routingKey()).isNull();
    assertThat(e.request().scheme()).isEqualTo("http");
    assertThat(e.request().authority()).isEmpty();
    assertThat(e.request().headers().entries()).isEmpty();
    assertThat(e.response().status()).isEqualTo(200);
    assertThat(e.response().headers().entries()).containsExactly(new Header("A", "1"));
    assertThat(e.response().body().textOrNull()).isEqualTo("{\"ok\":1}");
    assertThat(e.response().body().originalSize()).isEqualTo(9);
    assertThat(e.redactions()).containsExactly("request.header:authorization");
  }

  @Test
  void namesTheFieldThatIsMissingOrOfTheWrongType() {
    String base = new String(ExchangeCodec.encode(sample(Body.empty(), Body.text("text/plain", "ok"), Headers.of("A", "1"))),
        StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ExchangeCodec.decode(base.replace("\"id\":\"0190b1a2-0000-7000-8000-000000000001\"", "\"id\":7")))
        .isInstanceOf(ExchangeCodec.DecodeException.class).hasMessage("missing string field \"id\"");
    assertThatThrownBy(() -> ExchangeCodec.decode(base.replace("\"startedAt\":1764000000000000", "\"startedAt\":\"soon\"")))
        .hasMessage("missing numeric field \"startedAt\"");
    assertThatThrownBy(() -> ExchangeCodec.decode(base.replace("\"method\":\"POST\",", "")))
        .hasMessage("missing string field \"request.method\"");
    assertThatThrownBy(() -> ExchangeCodec.decode(base.replace("\"status\":201", "\"status\":4294967296")))
        .hasMessage("missing numeric field \"response.status\"");
    assertThatThrownBy(() -> ExchangeCodec.decode(base.replace("[[\"A\",\"1\"]]", "[[\"A\",1]]")))
        .hasMessage("response.headers[0] must be a [name, value] pair of strings");
    assertThatThrownBy(() -> ExchangeCodec.decode(base.replace("[[\"A\",\"1\"]]", "{\"A\":\"1\"}")))
        .hasMessage("response.headers must be an array of [name, value] pairs");
    assertThatThrownBy(() -> ExchangeCodec.decode(base.replace("\"text\":\"ok\"", "\"base64\":\"***\"")))
        .hasMessage("response.body.base64 is not valid base64");
    assertThatThrownBy(() -> ExchangeCodec.decode(base.replaceAll("\"response\":\\{.*\\},\"redactions\"", "\"response\":null,\"redactions\"")))
        .hasMessage("an exchange needs \"response\" or \"error\"");
    assertThatThrownBy(() -> ExchangeCodec.decode("")).hasMessage("an exchange must be a JSON object, got nothing");
    assertThatThrownBy(() -> ExchangeCodec.decode("\"x\"")).hasMessage("an exchange must be a JSON object, got string");
    assertThatThrownBy(() -> ExchangeCodec.decode(base.replace("\"future", "x").replace("}}", "}")))
        .hasMessageStartingWith("not JSON");
    // Bytes in no encoding JSON can have (a Confluent-framed record, say) fail as the parser opens.
    assertThatThrownBy(() -> ExchangeCodec.decode(new byte[] {0, 0, 1, 0, 0, 0, 0, 1, '{', '}'}))
        .isInstanceOf(ExchangeCodec.DecodeException.class).hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> ExchangeCodec.decode(base.replace("\"status\":201", "\"status\":42")))
        .isInstanceOf(ExchangeCodec.DecodeException.class).hasMessageStartingWith("invalid exchange: ");
  }

  @Test
  void readsTheSchemaVersionAndBodyFlagsAsLenientlyAsBefore() {
    Exchange e = sample(Body.empty(), Body.text("text/plain", "ok"), Headers.empty());
    String json = new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8);
    assertThat(ExchangeCodec.decode(json.replace("{\"v\":1,", "{\"v\":\"1\","))).isEqualTo(e);
    assertThat(ExchangeCodec.decode(json.replace("{\"v\":1,", "{\"v\":1.0,"))).isEqualTo(e);
    Body body = ExchangeCodec.decode(json.replace("\"size\":2}", "\"size\":\"9\",\"truncated\":\"true\"}")).response().body();
    assertThat(body.originalSize()).isEqualTo(9);
    assertThat(body.truncated()).isTrue();
  }
}
