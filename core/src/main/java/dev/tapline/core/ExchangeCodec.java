package dev.tapline.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The versioned JSON wire form of an {@link Exchange}: the Kafka record value, the NDJSON export
 * line, the document stored in the index.
 *
 * <p>Text bodies (valid UTF-8) stay readable under {@code "text"}; anything else is base64 under
 * {@code "base64"}, so every byte survives. Readers ignore fields they do not know, so a newer writer
 * does not break an older reader; a record without the fields this version needs is rejected with a
 * {@link DecodeException} naming the field.
 */
public final class ExchangeCodec {
  /** Kafka record header carrying {@link Exchange#SCHEMA_VERSION}. */
  public static final String SCHEMA_HEADER = "tapline-schema";
  /** Kafka record header carrying the value's encoding. */
  public static final String ENCODING_HEADER = "content-type";
  public static final String ENCODING = "application/json";

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
          .build();
  private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

  private ExchangeCodec() {}

  /** Thrown when bytes are not an exchange this version can read; says what is wrong and where. */
  public static final class DecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DecodeException(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }

  public static byte[] encode(Exchange e) {
    EncodeBuffer out = ENCODE_BUFFER.get();
    try {
      write(e, out);
      return Arrays.copyOf(out.buf, out.count);
    } finally {
      out.reset();
    }
  }

  /**
   * One growable buffer per encoding thread: encoding into a fresh stream sized by guess cost three
   * allocations of the exchange's size (the guess, its growth, the exact copy); this costs one.
   */
  private static final ThreadLocal<EncodeBuffer> ENCODE_BUFFER = ThreadLocal.withInitial(EncodeBuffer::new);

  private static final class EncodeBuffer extends OutputStream {
    private static final int KEEP = 1 << 20; // a buffer grown past this by a large exchange is not kept
    byte[] buf = new byte[16 * 1024];
    int count;

    @Override
    public void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    private void ensure(int n) {
      if (n > buf.length - count) {
        long want = Math.max(buf.length * 2L, (long) count + n);
        if (want > Integer.MAX_VALUE - 16) {
          throw new IllegalArgumentException("an exchange over 2 GiB cannot be encoded");
        }
        buf = Arrays.copyOf(buf, (int) want);
      }
    }

    void reset() {
      if (buf.length > KEEP) {
        buf = new byte[16 * 1024];
      }
      count = 0;
    }
  }

  /** Writes one exchange as a single line of JSON (no newline). */
  public static void write(Exchange e, OutputStream out) {
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      g.writeStartObject();
      g.writeNumberField("v", Exchange.SCHEMA_VERSION);
      g.writeStringField("id", e.id());
      g.writeNumberField("startedAt", e.startedAt());
      g.writeNumberField("durationMicros", e.durationMicros());
      g.writeStringField("service", e.service());
      g.writeStringField("proxy", e.proxy());
      optional(g, "routingKey", e.routingKey());
      g.writeStringField("target", e.target());
      optional(g, "protocol", e.protocol());
      optional(g, "traceparent", e.traceparent());
      optional(g, "baggage", e.baggage());
      Request r = e.request();
      g.writeObjectFieldStart("request");
      g.writeStringField("method", r.method());
      g.writeStringField("scheme", r.scheme());
      g.writeStringField("authority", r.authority());
      g.writeStringField("path", r.path());
      optional(g, "query", r.rawQuery());
      writeHeaders(g, r.headers());
      writeBody(g, r.body());
      g.writeEndObject();
      Response resp = e.response();
      if (resp != null) {
        g.writeObjectFieldStart("response");
        g.writeNumberField("status", resp.status());
        writeHeaders(g, resp.headers());
        writeBody(g, resp.body());
        if (!resp.trailers().isEmpty()) {
          writeHeaders(g, "trailers", resp.trailers());
        }
        g.writeEndObject();
      }
      ExchangeError err = e.error();
      if (err != null) {
        g.writeObjectFieldStart("error");
        g.writeStringField("kind", err.kind().name());
        g.writeStringField("message", err.message());
        g.writeEndObject();
      }
      g.writeArrayFieldStart("redactions");
      for (String name : e.redactions()) {
        g.writeString(name);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  public static Exchange decode(byte[] bytes) {
    return decode(() -> FACTORY.createParser(bytes));
  }

  public static Exchange decode(String json) {
    return decode(() -> FACTORY.createParser(json));
  }

  private interface ParserSource {
    JsonParser open() throws IOException;
  }

  private static Exchange decode(ParserSource source) {
    try (JsonParser p = source.open()) {
      return read(p);
    } catch (IOException ex) {
      // Malformed JSON, and bytes in no encoding JSON can have (found when the parser is opened).
      throw new DecodeException("not JSON: " + firstLine(ex.getMessage()), ex);
    } catch (IllegalArgumentException ex) {
      throw new DecodeException("invalid exchange: " + ex.getMessage(), ex);
    }
  }

  // ---- reading: one pass over the tokens, no tree (the recorder decodes every record it indexes) ----

  /** A field that is there but is not a string, told apart from a missing one (null). */
  private static final String NOT_TEXT = new String("not text");

  /**
   * Reads one exchange. Fields this version does not know are skipped (after checking they are
   * well-formed JSON); of a field given twice, the last counts. A request, response, error, header
   * list or body of the wrong shape is named as it is read; what the exchange itself lacks is named
   * once the whole object has been read, in the order the fields are needed.
   */
  private static Exchange read(JsonParser p) throws IOException {
    JsonToken first = p.nextToken();
    if (first != JsonToken.START_OBJECT) {
      throw new DecodeException("an exchange must be a JSON object, got " + kind(first), null);
    }
    int v = -1;
    String id = null;
    String service = null;
    String proxy = null;
    String routingKey = null;
    String target = null;
    String traceparent = null;
    String baggage = null;
    String protocol = null;
    Long startedAt = null;
    Long durationMicros = null;
    RequestFields request = null;
    Response response = null;
    ExchangeError error = null;
    List<String> redactions = new ArrayList<>();
    for (String name; (name = p.nextFieldName()) != null; ) {
      JsonToken t = p.nextToken();
      switch (name) {
        case "v" -> v = version(p, t);
        case "id" -> id = text(p, t);
        case "startedAt" -> startedAt = longOrNull(p, t);
        case "durationMicros" -> durationMicros = longOrNull(p, t);
        case "service" -> service = text(p, t);
        case "proxy" -> proxy = optionalText(p, t);
        case "routingKey" -> routingKey = optionalText(p, t);
        case "target" -> target = text(p, t);
        case "traceparent" -> traceparent = optionalText(p, t);
        case "baggage" -> baggage = optionalText(p, t);
        case "protocol" -> protocol = optionalText(p, t);
        case "request" -> request = t == JsonToken.START_OBJECT ? readRequest(p) : skip(p, null);
        case "response" -> response = t == JsonToken.VALUE_NULL ? null : readResponse(p, t);
        case "error" -> error = t == JsonToken.VALUE_NULL ? null : readError(p, t);
        case "redactions" -> redactions = readStrings(p, t);
        default -> p.skipChildren();
      }
    }
    if (v < 1) {
      throw new DecodeException("missing or invalid schema version field \"v\"", null);
    }
    if (request == null) {
      throw new DecodeException("missing object field \"request\"", null);
    }
    if (response == null && error == null) {
      throw new DecodeException("an exchange needs \"response\" or \"error\"", null);
    }
    return new Exchange(
        required(id, "id"),
        required(startedAt, "startedAt"),
        required(durationMicros, "durationMicros"),
        required(service, "service"),
        proxy == null ? "" : proxy,
        routingKey,
        required(target, "target"),
        traceparent,
        baggage,
        new Request(
            required(request.method, "request.method"),
            request.scheme == null ? "http" : request.scheme,
            request.authority == null ? "" : request.authority,
            required(request.path, "request.path"),
            request.query,
            request.headers,
            request.body),
        response,
        error,
        redactions,
        protocol);
  }

  private static final class RequestFields {
    @Nullable String method;
    @Nullable String scheme;
    @Nullable String authority;
    @Nullable String path;
    @Nullable String query;
    Headers headers = Headers.empty();
    Body body = Body.empty();
  }

  private static RequestFields readRequest(JsonParser p) throws IOException {
    RequestFields r = new RequestFields();
    for (String name; (name = p.nextFieldName()) != null; ) {
      JsonToken t = p.nextToken();
      switch (name) {
        case "method" -> r.method = text(p, t);
        case "scheme" -> r.scheme = optionalText(p, t);
        case "authority" -> r.authority = optionalText(p, t);
        case "path" -> r.path = text(p, t);
        case "query" -> r.query = optionalText(p, t);
        case "headers" -> r.headers = readHeaders(p, t, "request.headers");
        case "body" -> r.body = readBody(p, t, "request.body");
        default -> p.skipChildren();
      }
    }
    return r;
  }

  private static Response readResponse(JsonParser p, JsonToken start) throws IOException {
    if (start != JsonToken.START_OBJECT) {
      throw new DecodeException("\"response\" must be an object", null);
    }
    Long status = null;
    Headers headers = Headers.empty();
    Body body = Body.empty();
    Headers trailers = Headers.empty();
    for (String name; (name = p.nextFieldName()) != null; ) {
      JsonToken t = p.nextToken();
      switch (name) {
        case "status" -> status = longOrNull(p, t);
        case "headers" -> headers = readHeaders(p, t, "response.headers");
        case "body" -> body = readBody(p, t, "response.body");
        case "trailers" -> trailers = readHeaders(p, t, "response.trailers");
        default -> p.skipChildren();
      }
    }
    if (status == null || status != status.intValue()) {
      throw new DecodeException("missing numeric field \"response.status\"", null);
    }
    return new Response(status.intValue(), headers, body, trailers);
  }

  private static ExchangeError readError(JsonParser p, JsonToken start) throws IOException {
    if (start != JsonToken.START_OBJECT) {
      throw new DecodeException("\"error\" must be an object", null);
    }
    String kind = null;
    String message = null;
    for (String name; (name = p.nextFieldName()) != null; ) {
      JsonToken t = p.nextToken();
      switch (name) {
        case "kind" -> kind = text(p, t);
        case "message" -> message = optionalText(p, t);
        default -> p.skipChildren();
      }
    }
    ExchangeError.Kind k;
    try {
      k = ExchangeError.Kind.valueOf(required(kind, "error.kind"));
    } catch (IllegalArgumentException ex) {
      k = ExchangeError.Kind.OTHER;
    }
    return new ExchangeError(k, message == null ? "" : message);
  }

  private static Headers readHeaders(JsonParser p, JsonToken start, String where) throws IOException {
    if (start == JsonToken.VALUE_NULL) {
      return Headers.empty();
    }
    if (start != JsonToken.START_ARRAY) {
      skip(p, null);
      throw new DecodeException(where + " must be an array of [name, value] pairs", null);
    }
    List<Header> out = new ArrayList<>();
    for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
      String name = p.currentToken() == JsonToken.START_ARRAY && p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
      String value = name != null && p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
      if (value == null || p.nextToken() != JsonToken.END_ARRAY) {
        throw new DecodeException(where + "[" + i + "] must be a [name, value] pair of strings", null);
      }
      out.add(new Header(name, value));
    }
    return new Headers(out);
  }

  private static Body readBody(JsonParser p, JsonToken start, String where) throws IOException {
    if (start == JsonToken.VALUE_NULL) {
      return Body.empty();
    }
    if (start != JsonToken.START_OBJECT) {
      skip(p, null);
      throw new DecodeException(where + " must be an object", null);
    }
    String contentType = null;
    String encoding = null;
    String text = null;
    String base64 = null;
    boolean truncated = false;
    Long size = null;
    for (String name; (name = p.nextFieldName()) != null; ) {
      JsonToken t = p.nextToken();
      switch (name) {
        case "contentType" -> contentType = optionalText(p, t);
        case "encoding" -> encoding = optionalText(p, t);
        case "text" -> text = optionalText(p, t);
        case "base64" -> base64 = optionalText(p, t);
        case "truncated" -> truncated = skip(p, t == JsonToken.VALUE_TRUE
            || (t == JsonToken.VALUE_STRING && p.getText().trim().equals("true"))
            || (t == JsonToken.VALUE_NUMBER_INT && p.getNumberValue().longValue() != 0));
        case "size" -> size = t == JsonToken.VALUE_STRING ? parseLong(p.getText()) : longOrNull(p, t);
        default -> p.skipChildren();
      }
    }
    byte[] bytes;
    if (text != null) {
      bytes = text.getBytes(StandardCharsets.UTF_8);
    } else if (base64 != null) {
      try {
        bytes = Base64.getDecoder().decode(base64);
      } catch (IllegalArgumentException ex) {
        throw new DecodeException(where + ".base64 is not valid base64", ex);
      }
    } else {
      bytes = new byte[0];
    }
    return new Body(contentType, encoding, bytes, truncated, Math.max(size == null ? bytes.length : size, bytes.length));
  }

  private static List<String> readStrings(JsonParser p, JsonToken start) throws IOException {
    List<String> out = new ArrayList<>();
    if (start != JsonToken.START_ARRAY) {
      p.skipChildren();
      return out;
    }
    for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) {
      String s = optionalText(p, t);
      out.add(s == null ? "null" : s);
    }
    return out;
  }

  /** The schema version, read as leniently as the writers before it were read: -1 if there is none. */
  private static int version(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue().intValue();
      case VALUE_STRING -> {
        Long v = parseLong(p.getText());
        yield v == null ? -1 : v.intValue();
      }
      case VALUE_TRUE -> 1;
      default -> skip(p, -1);
    };
  }

  private static @Nullable Long parseLong(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException ex) {
      return null;
    }
  }

  /** A string value; {@link #NOT_TEXT} for any other value (skipped). */
  private static String text(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    return skip(p, NOT_TEXT);
  }

  /** A string, or a number or boolean as written; null for null; an object or array reads as "". */
  private static @Nullable String optionalText(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t.isScalarValue()) {
      return p.getText();
    }
    return skip(p, "");
  }

  /** A whole number in the range of a long (a fraction is cut); null for anything else. */
  private static @Nullable Long longOrNull(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      return p.getLongValue();
    }
    if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      double d = p.getDoubleValue();
      if (d >= Long.MIN_VALUE && d <= Long.MAX_VALUE) {
        return (long) d;
      }
    }
    p.skipChildren();
    return null;
  }

  private static <T> T skip(JsonParser p, T result) throws IOException {
    p.skipChildren();
    return result;
  }

  private static String required(@Nullable String value, String where) {
    if (value == null || value == NOT_TEXT) {
      throw new DecodeException("missing string field \"" + where + "\"", null);
    }
    return value;
  }

  private static long required(@Nullable Long value, String field) {
    if (value == null) {
      throw new DecodeException("missing numeric field \"" + field + "\"", null);
    }
    return value;
  }

  /** Parses JSON text into a tree with the codec's limits (no length cap on strings). */
  public static JsonNode readTree(String json) throws IOException {
    return MAPPER.readTree(json);
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static void optional(JsonGenerator g, String name, @Nullable String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  private static void writeHeaders(JsonGenerator g, Headers headers) throws IOException {
    writeHeaders(g, "headers", headers);
  }

  private static void writeHeaders(JsonGenerator g, String field, Headers headers) throws IOException {
    g.writeArrayFieldStart(field);
    for (Header h : headers.entries()) {
      g.writeStartArray();
      g.writeString(h.name());
      g.writeString(h.value());
      g.writeEndArray();
    }
    g.writeEndArray();
  }

  private static void writeBody(JsonGenerator g, Body b) throws IOException {
    g.writeObjectFieldStart("body");
    optional(g, "contentType", b.contentType());
    optional(g, "encoding", b.encoding());
    if (b.bytes().length > 0) {
      if (b.isUtf8() && !b.isBinaryType()) {
        // Escapes straight from the bytes: no String of the body is made.
        g.writeFieldName("text");
        g.writeUTF8String(b.bytes(), 0, b.bytes().length);
      } else {
        g.writeStringField("base64", Base64.getEncoder().encodeToString(b.bytes()));
      }
    }
    if (b.truncated()) {
      g.writeBooleanField("truncated", true);
    }
    g.writeNumberField("size", b.originalSize());
    g.writeEndObject();
  }

  private static String kind(@Nullable JsonToken t) {
    if (t == null) {
      return "nothing";
    }
    return switch (t) {
      case START_ARRAY -> "array";
      case VALUE_STRING -> "string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
      case VALUE_TRUE, VALUE_FALSE -> "boolean";
      case VALUE_NULL -> "null";
      default -> t.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

}
