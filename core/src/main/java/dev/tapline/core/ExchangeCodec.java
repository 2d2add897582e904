package dev.tapline.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (IOException ex) {
      throw new DecodeException("not JSON: " + firstLine(ex.getMessage()), ex);
    }
    return fromTree(root);
  }

  public static Exchange decode(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException ex) {
      throw new DecodeException("not JSON: " + firstLine(ex.getMessage()), ex);
    }
    return fromTree(root);
  }

  /** Reads an exchange from an already parsed tree (e.g. one line of NDJSON). */
  public static Exchange fromTree(@Nullable JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new DecodeException("an exchange must be a JSON object, got " + kind(root), null);
    }
    int v = root.path("v").asInt(-1);
    if (v < 1) {
      throw new DecodeException("missing or invalid schema version field \"v\"", null);
    }
    // A newer version is read as far as this version understands it: unknown fields are ignored.
    JsonNode req = object(root, "request");
    JsonNode resp = root.get("response");
    JsonNode err = root.get("error");
    Response response = null;
    if (resp != null && !resp.isNull()) {
      response = new Response(
          integer(resp, "response.status", "status"),
          headers(resp, "response.headers"),
          body(resp.get("body"), "response.body"));
    }
    ExchangeError error = null;
    if (err != null && !err.isNull()) {
      ExchangeError.Kind kind;
      try {
        kind = ExchangeError.Kind.valueOf(text(err, "error.kind", "kind"));
      } catch (IllegalArgumentException ex) {
        kind = ExchangeError.Kind.OTHER;
      }
      error = new ExchangeError(kind, err.path("message").asText(""));
    }
    if (response == null && error == null) {
      throw new DecodeException("an exchange needs \"response\" or \"error\"", null);
    }
    List<String> redactions = new ArrayList<>();
    for (JsonNode n : root.path("redactions")) {
      redactions.add(n.asText());
    }
    try {
      return new Exchange(
          text(root, "id", "id"),
          longValue(root, "startedAt"),
          longValue(root, "durationMicros"),
          text(root, "service", "service"),
          root.path("proxy").asText(""),
          optionalText(root, "routingKey"),
          text(root, "target", "target"),
          optionalText(root, "traceparent"),
          optionalText(root, "baggage"),
          new Request(
              text(req, "request.method", "method"),
              req.path("scheme").asText("http"),
              req.path("authority").asText(""),
              text(req, "request.path", "path"),
              optionalText(req, "query"),
              headers(req, "request.headers"),
              body(req.get("body"), "request.body")),
          response,
          error,
          redactions);
    } catch (IllegalArgumentException ex) {
      throw new DecodeException("invalid exchange: " + ex.getMessage(), ex);
    }
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
    g.writeArrayFieldStart("headers");
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
      if (b.isUtf8()) {
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

  private static Headers headers(JsonNode parent, String where) {
    JsonNode arr = parent.get("headers");
    if (arr == null || arr.isNull()) {
      return Headers.empty();
    }
    if (!arr.isArray()) {
      throw new DecodeException(where + " must be an array of [name, value] pairs", null);
    }
    List<Header> out = new ArrayList<>(arr.size());
    int i = 0;
    for (JsonNode pair : arr) {
      if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
        throw new DecodeException(where + "[" + i + "] must be a [name, value] pair of strings", null);
      }
      out.add(new Header(pair.get(0).asText(), pair.get(1).asText()));
      i++;
    }
    return new Headers(out);
  }

  private static Body body(@Nullable JsonNode b, String where) {
    if (b == null || b.isNull()) {
      return Body.empty();
    }
    if (!b.isObject()) {
      throw new DecodeException(where + " must be an object", null);
    }
    byte[] bytes;
    if (b.hasNonNull("text")) {
      bytes = b.get("text").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } else if (b.hasNonNull("base64")) {
      try {
        bytes = Base64.getDecoder().decode(b.get("base64").asText());
      } catch (IllegalArgumentException ex) {
        throw new DecodeException(where + ".base64 is not valid base64", ex);
      }
    } else {
      bytes = new byte[0];
    }
    long size = b.path("size").asLong(bytes.length);
    return new Body(
        optionalText(b, "contentType"),
        optionalText(b, "encoding"),
        bytes,
        b.path("truncated").asBoolean(false),
        Math.max(size, bytes.length));
  }

  private static JsonNode object(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n == null || !n.isObject()) {
      throw new DecodeException("missing object field \"" + field + "\"", null);
    }
    return n;
  }

  private static String text(JsonNode parent, String where, String field) {
    JsonNode n = parent.get(field);
    if (n == null || !n.isTextual()) {
      throw new DecodeException("missing string field \"" + where + "\"", null);
    }
    return n.asText();
  }

  private static @Nullable String optionalText(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  private static long longValue(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n == null || !n.canConvertToLong()) {
      throw new DecodeException("missing numeric field \"" + field + "\"", null);
    }
    return n.asLong();
  }

  private static int integer(JsonNode parent, String where, String field) {
    JsonNode n = parent.get(field);
    if (n == null || !n.canConvertToInt()) {
      throw new DecodeException("missing numeric field \"" + where + "\"", null);
    }
    return n.asInt();
  }

  private static String kind(@Nullable JsonNode n) {
    return n == null ? "nothing" : n.getNodeType() == JsonNodeType.MISSING ? "nothing" : n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

}
