package dev.tapline.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code multipart/form-data} bodies: a part whose name a field rule matches has its content
 * replaced by a marker ({@code request.body:<name>}); a text part is redacted as a body of its own
 * content type (JSON paths start with the part's name); binary parts (files) are kept byte for
 * byte, as are the delimiters and part headers. A body cut short ends in its last part.
 */
final class MultipartRedaction {
  private MultipartRedaction() {}

  private static final Pattern NAME = Pattern.compile("(?i)(?:^|;)\\s*name\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^;\\s]+))");

  /** The boundary of a {@code multipart/*} content type, or null. */
  static @Nullable String boundaryOf(@Nullable String contentType) {
    String mime = Body.mimeOf(contentType);
    return mime != null && mime.startsWith("multipart/") ? TextCharsets.parameter(contentType, "boundary") : null;
  }

  /** The body with its parts redacted, or the same array when nothing in it was. */
  static byte[] redact(Redactor r, byte[] body, String boundary, String where, Set<String> names) {
    // ISO-8859-1: one char per byte, so offsets in the string are offsets in the body.
    String s = new String(body, StandardCharsets.ISO_8859_1);
    String delimiter = "--" + boundary;
    ByteArrayOutputStream out = null;
    int copied = 0;
    int at = s.indexOf(delimiter);
    while (at >= 0) {
      int lineEnd = s.indexOf('\n', at);
      if (lineEnd < 0 || s.startsWith("--", at + delimiter.length())) {
        break; // the closing delimiter, or a body cut short
      }
      int headersStart = lineEnd + 1;
      int blank = s.indexOf("\r\n\r\n", headersStart);
      int blankLf = s.indexOf("\n\n", headersStart);
      int contentStart;
      int headersEnd;
      if (blank >= 0 && (blankLf < 0 || blank <= blankLf)) {
        headersEnd = blank;
        contentStart = blank + 4;
      } else if (blankLf >= 0) {
        headersEnd = blankLf;
        contentStart = blankLf + 2;
      } else {
        break;
      }
      int next = s.indexOf(delimiter, contentStart);
      int contentEnd = next < 0 ? s.length() : next;
      if (next >= 0) { // the line break before a delimiter is the delimiter's
        contentEnd = s.startsWith("\r\n", next - 2) && next - 2 >= contentStart ? next - 2
            : s.charAt(next - 1) == '\n' && next - 1 >= contentStart ? next - 1 : next;
      }
      byte[] replacement = part(r, body, s.substring(headersStart, headersEnd), contentStart, contentEnd, where, names);
      if (replacement != null) {
        if (out == null) {
          out = new ByteArrayOutputStream(body.length + 64);
        }
        out.write(body, copied, contentStart - copied);
        out.writeBytes(replacement);
        copied = contentEnd;
      }
      at = next;
    }
    if (out == null) {
      return body;
    }
    out.write(body, copied, body.length - copied);
    return out.toByteArray();
  }

  /** A part's new content, or null to keep it. */
  private static byte @Nullable [] part(Redactor r, byte[] body, String headerBlock, int start, int end,
      String where, Set<String> names) {
    String headers = new String(headerBlock.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    String disposition = null;
    String contentType = null;
    for (String line : headers.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String h = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      if (h.equals("content-disposition")) {
        disposition = line.substring(colon + 1);
      } else if (h.equals("content-type")) {
        contentType = line.substring(colon + 1).trim();
      }
    }
    String name = null;
    if (disposition != null) {
      Matcher m = NAME.matcher(disposition);
      if (m.find()) {
        name = m.group(1) != null ? m.group(1) : m.group(2);
      }
    }
    byte[] content = java.util.Arrays.copyOfRange(body, start, end);
    String text = Body.strictUtf8(content);
    if (name != null && r.isSensitiveField(name)) {
      names.add(where + name);
      String secret = text != null ? text : new String(content, StandardCharsets.ISO_8859_1);
      return r.marker(secret).getBytes(StandardCharsets.UTF_8);
    }
    if (text == null || content.length == 0) {
      return null; // a file or other binary content
    }
    String redacted = r.redactBodyText(text, contentType, r.scan(text), where, name == null ? "$" : name, names);
    return redacted == text ? null : redacted.getBytes(StandardCharsets.UTF_8);
  }
}
