package dev.tapline.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Redacts a JSON text in one pass over its tokens, rewriting only what it redacts: every other byte
 * of the body stays as it was (no re-serialization, so numbers, spacing and escapes are kept).
 *
 * <ul>
 *   <li>a field whose name a field rule matches: its value (scalar or whole object or array, not
 *       {@code null}) becomes a marker string, named by its path ({@code $.user.password}, {@code
 *       $.items[*].token});
 *   <li>a string: JSON inside it is redacted the same way ({@code $.payload.password}), else the
 *       value rules and {@code name=value} pairs apply to it, decoded (so escapes hide nothing);
 *   <li>numbers get the value rules (a card number), keys too (a token used as a map key).
 * </ul>
 *
 * <p>A text that stops being JSON (a truncated body) is redacted token by token up to there, and the
 * rest textually: {@code "name": value} pairs by name ({@code $..name}), then the value rules.
 */
final class JsonRedaction {
  private final Redactor r;
  private final String text;
  private final String where;
  private final String base;
  private final Set<String> names;
  private final Redactor.Names byRule;
  private @Nullable StringBuilder out;
  private int copied; // text[0, copied) is in out

  private JsonRedaction(Redactor r, String text, String where, String base, Set<String> names) {
    this.r = r;
    this.text = text;
    this.where = where;
    this.base = base;
    this.names = names;
    this.byRule = Redactor.inBody(where, names);
  }

  /**
   * {@code text} redacted, or the same instance when nothing in it was; {@code base} is the path of
   * the text itself ({@code $}, or the path of the JSON string it came from).
   */
  static String redact(Redactor r, String text, String where, String base, Set<String> names) {
    return new JsonRedaction(r, text, where, base, names).run();
  }

  private String run() {
    int safe = 0; // text before this is done; a failure is handled textually from here
    try (JsonParser p = ExchangeCodec.mapper().getFactory().createParser(text)) {
      for (JsonToken t; (t = p.nextToken()) != null; ) {
        int start = offset(p);
        safe = start;
        switch (t) {
          case FIELD_NAME -> field(p, start);
          case VALUE_STRING -> string(p, start);
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number(p, start);
          default -> { }
        }
      }
    } catch (Exception e) { // not JSON from some point on, e.g. truncated
      // From the token that failed, or (when reading the next one failed) the one before, unless
      // that was rewritten already.
      int from = Math.max(safe, copied);
      String rest = text.substring(from);
      String redacted = textually(rest);
      if (out == null && redacted == rest) {
        return text;
      }
      StringBuilder b = out == null ? new StringBuilder(text.length()) : out;
      return b.append(text, copied, from).append(redacted).toString();
    }
    if (out == null) {
      return text;
    }
    return out.append(text, copied, text.length()).toString();
  }

  private void field(JsonParser p, int keyStart) throws java.io.IOException {
    String name = p.currentName();
    JsonStreamContext ctx = p.getParsingContext();
    long keyBits = r.scan(name);
    if ((keyBits & r.valueRuleBits()) != 0) {
      String k = r.applyValueRules(name, keyBits, byRule);
      if (k != name) {
        splice(keyStart, stringEnd(keyStart), quoted(k));
      }
    }
    if ((keyBits & r.fieldBits()) == 0 || !r.isSensitiveField(name)) {
      return;
    }
    String path = pathOf(ctx, base) + "." + name;
    JsonToken v = p.nextToken();
    if (v == null || v == JsonToken.VALUE_NULL) {
      return;
    }
    int start = offset(p);
    int end;
    String secret;
    if (v.isStructStart()) {
      p.skipChildren();
      end = (int) p.currentLocation().getCharOffset();
      secret = text.substring(start, end);
    } else if (v == JsonToken.VALUE_STRING) {
      secret = p.getText();
      end = stringEnd(start);
    } else {
      secret = p.getText();
      end = scalarEnd(start);
    }
    splice(start, end, quoted(r.marker(secret)));
    names.add(where + path);
  }

  private void string(JsonParser p, int start) throws java.io.IOException {
    String s = p.getText();
    String redacted;
    if (Redactor.looksLikeJson(s)) {
      redacted = redact(r, s, where, valuePath(p.getParsingContext(), base), names);
    } else {
      long bits = r.scan(s);
      redacted = (bits & (~RuleScanner.SIGNS | RuleScanner.PERCENT)) == 0 ? s
          : r.redactText(s, bits, fieldsAt(valuePath(p.getParsingContext(), base)));
    }
    if (redacted != s) {
      splice(start, stringEnd(start), quoted(redacted));
    }
  }

  private void number(JsonParser p, int start) throws java.io.IOException {
    String s = p.getText();
    String redacted = r.applyValueRules(s, r.scan(s), byRule);
    if (redacted != s) {
      splice(start, scalarEnd(start), quoted(redacted));
    }
  }

  /** Value rules by their names; a {@code name=value} pair in a string by the string's path. */
  private Redactor.Names fieldsAt(String path) {
    return new Redactor.Names() {
      @Override
      public void value(String rule) {
        names.add(where + rule);
      }

      @Override
      public void field(String name) {
        names.add(where + path);
      }
    };
  }

  private void splice(int start, int end, String replacement) {
    if (out == null) {
      out = new StringBuilder(text.length() + 16);
    }
    out.append(text, copied, start).append(replacement);
    copied = end;
  }

  private static int offset(JsonParser p) {
    return (int) p.currentTokenLocation().getCharOffset();
  }

  /** Just past the string starting (with its quote) at {@code start}. */
  private int stringEnd(int start) {
    for (int i = start + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        return i + 1;
      }
    }
    return text.length();
  }

  /** Just past the number or literal starting at {@code start}. */
  private int scalarEnd(int start) {
    int i = start;
    while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || "+-.".indexOf(text.charAt(i)) >= 0)) {
      i++;
    }
    return i;
  }

  private static String quoted(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }

  /** The path of the container {@code ctx} is ({@code $.a.b}, {@code $.items[*]}). */
  private static String pathOf(JsonStreamContext ctx, String base) {
    JsonStreamContext parent = ctx.getParent();
    if (parent == null || ctx.inRoot()) {
      return base;
    }
    String p = pathOf(parent, base);
    if (parent.inObject()) {
      return p + "." + parent.getCurrentName();
    }
    return parent.inArray() ? p + "[*]" : p;
  }

  /** The path of the value just read in {@code ctx}. */
  private static String valuePath(JsonStreamContext ctx, String base) {
    if (ctx.inObject()) {
      return pathOf(ctx, base) + "." + ctx.getCurrentName();
    }
    return ctx.inArray() ? pathOf(ctx, base) + "[*]" : base;
  }

  // "name": value pairs, for JSON that does not parse (a truncated body)
  private static final Pattern JSON_PAIR =
      Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*(?:\"|$)|[^,}\\]\\s]+)");

  private String textually(String rest) {
    Matcher m = JSON_PAIR.matcher(rest);
    StringBuilder b = null;
    int last = 0;
    while (m.find()) {
      String name = m.group(1);
      String value = m.group(2);
      if (r.isSensitiveField(name) && !value.equals("null")) {
        if (b == null) {
          b = new StringBuilder(rest.length());
        }
        names.add(where + "$.." + name);
        if (value.startsWith("{") || value.startsWith("[")) {
          // an object or array the text ends in: all of the rest is its content
          b.append(rest, last, m.start(2)).append(quoted(r.marker(rest.substring(m.start(2)))));
          last = rest.length();
          break;
        }
        String secret = value.startsWith("\"") ? value.substring(1, value.length() - (value.length() > 1 && value.endsWith("\"") ? 1 : 0)) : value;
        b.append(rest, last, m.start(2)).append(quoted(r.marker(secret)));
        last = m.end(2);
      }
    }
    String s = b == null ? rest : b.append(rest, last, rest.length()).toString();
    return r.redactText(s, r.scan(s), byRule);
  }
}
