package dev.tapline.core;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * UTF-16 bodies: told by a byte order mark, by the NULs of ASCII text in UTF-16 falling all on odd
 * or all on even bytes, or by a {@code charset=utf-16*} content type on bytes that are not UTF-8
 * (a body labelled UTF-16 that is UTF-8 is read as UTF-8: its secrets would hide in the
 * mis-decoded text). Decoded strictly, written back as they came (same byte order, the mark kept).
 */
final class TextCharsets {
  private TextCharsets() {}

  /** UTF-16BE or UTF-16LE when the body is UTF-16 text, else null. */
  static @Nullable Charset utf16(byte[] b, @Nullable String contentType, boolean hasNul) {
    if (b.length >= 2 && (b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF) {
      return StandardCharsets.UTF_16BE;
    }
    if (b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE && !(b.length >= 4 && b[2] == 0 && b[3] == 0)) {
      return StandardCharsets.UTF_16LE;
    }
    Charset byNuls = hasNul ? byNuls(b) : null;
    if (byNuls != null) {
      return byNuls;
    }
    String charset = charsetOf(contentType);
    if (charset == null || !charset.startsWith("utf-16") || Body.strictUtf8(b) != null) {
      return null;
    }
    return switch (charset) {
      case "utf-16le" -> StandardCharsets.UTF_16LE;
      case "utf-16be", "utf-16" -> StandardCharsets.UTF_16BE; // RFC 2781: big-endian without a mark
      default -> null;
    };
  }

  /** In the first 512 bytes, NULs on one side of at least a quarter of the code units and never on the other. */
  private static @Nullable Charset byNuls(byte[] b) {
    int n = Math.min(b.length, 512) & ~1;
    if (n < 4) {
      return null;
    }
    int even = 0;
    int odd = 0;
    for (int i = 0; i < n; i += 2) {
      even += b[i] == 0 ? 1 : 0;
      odd += b[i + 1] == 0 ? 1 : 0;
    }
    int units = n / 2;
    if (odd * 4 >= units && even == 0) {
      return StandardCharsets.UTF_16LE;
    }
    if (even * 4 >= units && odd == 0) {
      return StandardCharsets.UTF_16BE;
    }
    return null;
  }

  /** The text without its byte order mark, or null when the bytes are not well-formed in {@code cs}. */
  static @Nullable String decode(byte[] b, Charset cs) {
    int skip = hasMark(b) ? 2 : 0;
    if ((b.length - skip) % 2 != 0) {
      return null;
    }
    try {
      return cs.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, skip, b.length - skip))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** {@code text} in {@code cs}, with the byte order mark {@code original} started with, if any. */
  static byte[] encode(String text, Charset cs, byte[] original) {
    byte[] body = text.getBytes(cs);
    if (!hasMark(original)) {
      return body;
    }
    byte[] out = new byte[body.length + 2];
    out[0] = original[0];
    out[1] = original[1];
    System.arraycopy(body, 0, out, 2, body.length);
    return out;
  }

  private static boolean hasMark(byte[] b) {
    return b.length >= 2 && (((b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF) || ((b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE));
  }

  /** The {@code charset} parameter of a content type, lower case, or null. */
  static @Nullable String charsetOf(@Nullable String contentType) {
    String v = parameter(contentType, "charset");
    return v == null ? null : v.toLowerCase(Locale.ROOT);
  }

  /** A parameter of a content type ({@code boundary}, {@code charset}), unquoted, or null. */
  static @Nullable String parameter(@Nullable String contentType, String name) {
    if (contentType == null) {
      return null;
    }
    String[] parts = contentType.split(";");
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase(name)) {
        String v = p.substring(eq + 1).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        return v.isEmpty() ? null : v;
      }
    }
    return null;
  }
}
