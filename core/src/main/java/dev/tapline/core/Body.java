package dev.tapline.core;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A captured message body.
 *
 * <p>{@code bytes} are what was captured, decoded from gzip/deflate when {@code encoding} names one
 * (the wire bytes themselves were passed through untouched). {@code originalSize} counts every byte
 * of the (decoded) body even when only the first bytes were kept, in which case {@code truncated} is
 * set.
 *
 * @param contentType the {@code Content-Type} as received, or null
 * @param encoding the {@code Content-Encoding} as received, or null for identity
 */
public record Body(
    @Nullable String contentType,
    @Nullable String encoding,
    byte[] bytes,
    boolean truncated,
    long originalSize) {

  private static final Body EMPTY = new Body(null, null, new byte[0], false, 0);

  public Body {
    requireNonNull(bytes, "bytes");
    if (originalSize < bytes.length) {
      throw new IllegalArgumentException(
          "originalSize must be at least the captured length " + bytes.length + ": " + originalSize);
    }
  }

  public static Body empty() {
    return EMPTY;
  }

  public static Body of(@Nullable String contentType, byte[] bytes) {
    return new Body(contentType, null, bytes, false, bytes.length);
  }

  public static Body text(@Nullable String contentType, String text) {
    return of(contentType, text.getBytes(StandardCharsets.UTF_8));
  }

  public boolean isEmpty() {
    return bytes.length == 0 && originalSize == 0;
  }

  /** The body as UTF-8 text when its bytes are valid UTF-8, else null (binary or another charset). */
  public @Nullable String textOrNull() {
    return strictUtf8(bytes);
  }

  /** True when the content type says JSON ({@code application/json}, {@code +json}). */
  public boolean isJson() {
    return isJson(contentType);
  }

  /** The media type of a {@code Content-Type} value, lower case, without parameters; null for none. */
  public static @Nullable String mimeOf(@Nullable String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  /** Whether a {@code Content-Type} value says JSON ({@code application/json}, {@code +json}). */
  public static boolean isJson(@Nullable String contentType) {
    String mime = mimeOf(contentType);
    return mime != null && (mime.equals("application/json") || mime.endsWith("+json"));
  }

  /** Whether a {@code Content-Type} value says a form ({@code application/x-www-form-urlencoded}). */
  public static boolean isForm(@Nullable String contentType) {
    return "application/x-www-form-urlencoded".equals(mimeOf(contentType));
  }

  /**
   * True when the content type frames its body in binary whatever the bytes look like: gRPC's
   * length-prefixed messages ({@code application/grpc}, {@code application/grpc+proto}, {@code
   * application/grpc-web}...; not {@code application/grpc-web-text}, which is base64 text). The
   * codec writes such a body as base64 even when its bytes happen to be valid UTF-8.
   */
  public boolean isBinaryType() {
    if (contentType == null) {
      return false;
    }
    String ct = contentType.trim().toLowerCase(Locale.ROOT);
    for (String grpc : new String[] {"application/grpc-web", "application/grpc"}) {
      if (ct.startsWith(grpc)) {
        if (ct.length() == grpc.length()) {
          return true;
        }
        char next = ct.charAt(grpc.length());
        return next == '+' || next == ';' || next == ' ';
      }
    }
    return false;
  }

  public Body withBytes(byte[] newBytes) {
    return new Body(contentType, encoding, newBytes, truncated, Math.max(originalSize, newBytes.length));
  }

  /** True when the bytes are well-formed UTF-8 (ASCII is checked without decoding). */
  public boolean isUtf8() {
    return isAscii(bytes) || strictUtf8(bytes) != null;
  }

  static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  static @Nullable String strictUtf8(byte[] bytes) {
    if (isAscii(bytes)) {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Body b
        && java.util.Objects.equals(contentType, b.contentType)
        && java.util.Objects.equals(encoding, b.encoding)
        && Arrays.equals(bytes, b.bytes)
        && truncated == b.truncated
        && originalSize == b.originalSize;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(contentType, encoding, Arrays.hashCode(bytes), truncated, originalSize);
  }

  @Override
  public String toString() {
    return "Body[contentType=" + contentType + ", encoding=" + encoding + ", captured=" + bytes.length
        + ", truncated=" + truncated + ", originalSize=" + originalSize + "]";
  }
}
