package dev.tapline.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Removes secrets from an exchange before it leaves the proxy: headers on a denylist, query
 * parameters and JSON/form fields whose name matches a pattern, and card-number-like values
 * anywhere in text. Redacted values become {@link #MARKER} (or {@code [REDACTED:<hash>]} with a
 * keyed hash for correlation); the exchange records where, never what.
 *
 * <pre>{@code
 * Exchange safe = Redactor.defaults().redact(captured);
 * }</pre>
 */
public final class Redactor {
  public static final String MARKER = "[REDACTED]";

  public static final Set<String> DEFAULT_HEADERS = Set.of(
      "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token",
      "x-csrf-token", "x-xsrf-token", "x-amz-security-token", "x-goog-api-key", "api-key");

  /** Field names containing one of these (ignoring case, {@code _} and {@code -}) are redacted by default. */
  public static final List<String> DEFAULT_FIELD_WORDS = List.of(
      "password", "passwd", "secret", "token", "apikey", "credential", "privatekey", "ssn", "cvv", "cvc");

  // 13-19 digits, optionally grouped by spaces or dashes; Luhn-checked before redacting.
  private static final Pattern CARD = Pattern.compile("(?<![\\d.])(?:\\d[ -]?){12,18}\\d(?![\\d.])");

  private final String[] headerList; // lower case
  // null means the default words: checked with a cheap scan instead of a regex on the hot path.
  private final @Nullable Pattern fieldNames;
  private final boolean cardNumbers;
  private final byte @Nullable [] hashKey;

  private Redactor(Set<String> headers, @Nullable Pattern fieldNames, boolean cardNumbers, byte @Nullable [] hashKey) {
    this.headerList = headers.toArray(String[]::new);
    this.fieldNames = fieldNames;
    this.cardNumbers = cardNumbers;
    this.hashKey = hashKey;
  }

  public static Redactor defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Immutable configuration, built step by step. */
  public static final class Builder {
    private final Set<String> headers = new LinkedHashSet<>(DEFAULT_HEADERS);
    private @Nullable Pattern fieldNames;
    private boolean cardNumbers = true;
    private byte @Nullable [] hashKey;

    private Builder() {}

    /** Adds header names (any case) to the denylist. */
    public Builder addHeaders(Iterable<String> names) {
      for (String n : names) {
        headers.add(n.toLowerCase(Locale.ROOT).trim());
      }
      return this;
    }

    /** A regex matched against the whole field name (JSON keys, form and query parameter names). */
    public Builder fieldNamePattern(String regex) {
      this.fieldNames = Pattern.compile(requireNonNull(regex, "regex"));
      return this;
    }

    public Builder cardNumbers(boolean on) {
      this.cardNumbers = on;
      return this;
    }

    /** Keep an HMAC-SHA256 prefix of each redacted value so equal secrets can be correlated. */
    public Builder hashKey(byte @Nullable [] key) {
      this.hashKey = key == null ? null : key.clone();
      return this;
    }

    public Redactor build() {
      return new Redactor(Set.copyOf(headers), fieldNames, cardNumbers, hashKey);
    }
  }

  public Exchange redact(Exchange e) {
    Set<String> names = new LinkedHashSet<>(e.redactions());
    Request req = e.request();
    Headers reqHeaders = redactHeaders(req.headers(), "request", names);
    String query = redactQuery(req.rawQuery(), names);
    Body reqBody = redactBody(req.body(), "request", names);
    Response resp = e.response();
    Headers respHeaders = resp == null ? null : redactHeaders(resp.headers(), "response", names);
    Body respBody = resp == null ? null : redactBody(resp.body(), "response", names);
    if (names.size() == e.redactions().size() && reqHeaders == req.headers() && query == req.rawQuery()
        && reqBody == req.body() && (resp == null || (respHeaders == resp.headers() && respBody == resp.body()))) {
      return e; // nothing to redact: the common case
    }
    Request newReq = new Request(req.method(), req.scheme(), req.authority(), req.path(), query, reqHeaders, reqBody);
    Response newResp = resp == null ? null : new Response(resp.status(), respHeaders, respBody);
    return new Exchange(e.id(), e.startedAt(), e.durationMicros(), e.service(), e.proxy(),
        e.routingKey(), e.target(), e.traceparent(), e.baggage(), newReq, newResp, e.error(),
        List.copyOf(names));
  }

  public boolean isSensitiveHeader(String name) {
    // Compared without lower-casing: a proxied request has a dozen headers and the denylist a few
    // names, and a lower-cased copy of every name was a fifth of what capturing allocated.
    for (String h : headerList) {
      if (h.length() == name.length() && h.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  public boolean isSensitiveField(String name) {
    if (fieldNames != null) {
      return fieldNames.matcher(name).matches();
    }
    return containsDefaultWord(name);
  }

  /**
   * True when {@code s} holds one of {@link #DEFAULT_FIELD_WORDS}, ignoring case and {@code _} and
   * {@code -} (so {@code api_key} and {@code private-key} match).
   */
  static boolean containsDefaultWord(CharSequence s) {
    // Lower-cased to ASCII bytes (anything else can be no part of a word) for the one matcher.
    int n = s.length();
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      char c = lower(s.charAt(i));
      b[i] = c < 128 ? (byte) c : (byte) -1;
    }
    for (int i = 0; i < n; i++) {
      String[] words = b[i] >= 0 ? WORDS_BY_START[b[i]] : null;
      if (words != null && wordAt(b, i, words)) {
        return true;
      }
    }
    return false;
  }

  private static char lower(char c) {
    if (c < 128) {
      return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }
    return Character.toLowerCase(c);
  }

  // The default words by their first letter: most letters of a body start no word, and the
  // others only the few words that begin with them (p: password, passwd, privatekey).
  private static final String[][] WORDS_BY_START = new String[128][];

  static {
    for (String w : DEFAULT_FIELD_WORDS) {
      String[] old = WORDS_BY_START[w.charAt(0)];
      String[] add = old == null ? new String[1] : java.util.Arrays.copyOf(old, old.length + 1);
      add[add.length - 1] = w;
      WORDS_BY_START[w.charAt(0)] = add;
    }
  }

  /** A cheap look for anything the field rules could match, before parsing a body. */
  private boolean mayHoldSensitiveField(CharSequence text) {
    return fieldNames != null || containsDefaultWord(text);
  }

  /** At least 13 digits in a row, allowing single spaces or dashes between them. */
  static boolean mayHoldCardNumber(CharSequence s) {
    int run = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        if (++run >= 13) {
          return true;
        }
      } else if ((c == ' ' || c == '-') && run > 0 && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
        continue;
      } else {
        run = 0;
      }
    }
    return false;
  }

  /**
   * One pass over a body's bytes: true when they are all ASCII and hold no default field word
   * and, if {@code cards}, no card-number-like run of digits, so no rule can match them. False
   * when one might, or when the body is not ASCII (the text path then decides). The same tests as
   * {@link #containsDefaultWord} and {@link #mayHoldCardNumber}, fused.
   */
  static boolean plainlyClean(byte[] b, boolean cards) {
    int n = b.length;
    int run = 0;
    for (int i = 0; i < n; i++) {
      int c = b[i];
      if (c < 0) {
        return false;
      }
      if (c >= '0' && c <= '9') {
        if (cards && ++run >= 13) {
          return false;
        }
        continue;
      }
      if ((c == ' ' || c == '-') && run > 0 && i + 1 < n && b[i + 1] >= '0' && b[i + 1] <= '9') {
        continue;
      }
      run = 0;
      String[] words = WORDS_BY_START[c >= 'A' && c <= 'Z' ? c + 32 : c];
      if (words != null && wordAt(b, i, words)) {
        return false;
      }
    }
    return true;
  }

  /** Whether one of {@code words} (lower case) starts at {@code b[i]}, skipping {@code _} and {@code -}. */
  private static boolean wordAt(byte[] b, int i, String[] words) {
    for (String w : words) {
      int j = i + 1;
      int k = 1;
      while (k < w.length() && j < b.length) {
        int d = b[j];
        if (d == '_' || d == '-') {
          j++;
        } else if ((d >= 'A' && d <= 'Z' ? d + 32 : d) == w.charAt(k)) {
          j++;
          k++;
        } else {
          break;
        }
      }
      if (k == w.length()) {
        return true;
      }
    }
    return false;
  }

  private Headers redactHeaders(Headers in, String side, Set<String> names) {
    List<Header> out = null;
    for (int i = 0; i < in.entries().size(); i++) {
      Header h = in.entries().get(i);
      String value = h.value();
      String newValue = value;
      if (isSensitiveHeader(h.name())) {
        newValue = marker(value);
        names.add(side + ".header:" + h.name().toLowerCase(Locale.ROOT));
      } else if (cardNumbers) {
        String c = redactCards(value);
        if (!c.equals(value)) {
          newValue = c;
          names.add(side + ".header:" + h.name().toLowerCase(Locale.ROOT));
        }
      }
      if (!newValue.equals(value)) {
        if (out == null) {
          out = new ArrayList<>(in.entries());
        }
        out.set(i, new Header(h.name(), newValue));
      }
    }
    return out == null ? in : new Headers(out);
  }

  private @Nullable String redactQuery(@Nullable String query, Set<String> names) {
    if (query == null || query.isEmpty()) {
      return query;
    }
    String r = mayHoldSensitiveField(query) ? redactPairs(query, "request.query:", names) : query;
    return cardNumbers ? redactCards(r) : r;
  }

  /** Redacts {@code name=value} pairs joined by {@code &} whose name matches the field pattern. */
  private String redactPairs(String s, String where, Set<String> names) {
    StringBuilder out = new StringBuilder(s.length());
    boolean changed = false;
    for (String pair : s.split("&", -1)) {
      if (out.length() > 0 || changed) {
        out.append('&');
      }
      int eq = pair.indexOf('=');
      String rawName = eq < 0 ? pair : pair.substring(0, eq);
      String name = decode(rawName);
      if (eq >= 0 && isSensitiveField(name)) {
        out.append(rawName).append('=').append(marker(pair.substring(eq + 1)));
        names.add(where + name);
        changed = true;
      } else {
        out.append(pair);
      }
    }
    return changed ? out.toString() : s;
  }

  private Body redactBody(Body body, String side, Set<String> names) {
    if (body.bytes().length == 0) {
      return body;
    }
    if (fieldNames == null && plainlyClean(body.bytes(), cardNumbers)) {
      // Most bodies hold nothing any rule could match: one look at the bytes, no String made.
      return body;
    }
    String text = body.textOrNull();
    if (text == null) {
      return body;
    }
    String redacted = text;
    if (!mayHoldSensitiveField(text)) {
      // nothing a field rule could match: skip parsing
    } else if (body.isJson() || looksLikeJson(text)) {
      redacted = redactJson(text, side + ".body:", names);
    } else if (isForm(body.contentType())) {
      redacted = redactPairs(text, side + ".body:", names);
    }
    if (cardNumbers) {
      String c = redactCards(redacted);
      if (!c.equals(redacted)) {
        names.add(side + ".body:card-number");
        redacted = c;
      }
    }
    return redacted.equals(text) ? body : body.withBytes(redacted.getBytes(StandardCharsets.UTF_8));
  }

  private String redactJson(String text, String where, Set<String> names) {
    JsonNode root;
    try {
      root = ExchangeCodec.readTree(text);
    } catch (Exception e) {
      root = null;
    }
    if (root == null || !(root.isContainerNode())) {
      return redactJsonText(text, where, names);
    }
    int before = names.size();
    boolean changed = walk(root, "$", where, names);
    if (!changed && names.size() == before) {
      return text;
    }
    try {
      return ExchangeCodec.mapper().writeValueAsString(root);
    } catch (Exception e) {
      return redactJsonText(text, where, names);
    }
  }

  private boolean walk(JsonNode node, String path, String where, Set<String> names) {
    boolean changed = false;
    if (node instanceof ObjectNode obj) {
      Iterator<Map.Entry<String, JsonNode>> it = obj.properties().iterator();
      List<String> toMark = new ArrayList<>();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> f = it.next();
        String childPath = path + "." + f.getKey();
        if (isSensitiveField(f.getKey()) && !f.getValue().isNull() && !f.getValue().isContainerNode()) {
          toMark.add(f.getKey());
          names.add(where + childPath);
        } else if (isSensitiveField(f.getKey()) && f.getValue().isContainerNode()) {
          toMark.add(f.getKey());
          names.add(where + childPath);
        } else {
          changed |= walk(f.getValue(), childPath, where, names);
        }
      }
      for (String k : toMark) {
        obj.set(k, TextNode.valueOf(marker(obj.get(k).toString())));
        changed = true;
      }
    } else if (node instanceof ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) {
        changed |= walk(arr.get(i), path + "[*]", where, names);
      }
    }
    return changed;
  }

  // For JSON that does not parse (e.g. truncated): redact "name": value pairs textually.
  private static final Pattern JSON_PAIR =
      Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*(?:\"|$)|[^,}\\]\\s]+)");

  private String redactJsonText(String text, String where, Set<String> names) {
    Matcher m = JSON_PAIR.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    boolean changed = false;
    while (m.find()) {
      String name = m.group(1);
      if (isSensitiveField(name)) {
        m.appendReplacement(out, Matcher.quoteReplacement(
            "\"" + name + "\":\"" + marker(m.group(2)) + "\""));
        names.add(where + "$.." + name);
        changed = true;
      }
    }
    if (!changed) {
      return text;
    }
    m.appendTail(out);
    return out.toString();
  }

  String redactCards(String s) {
    if (!mayHoldCardNumber(s)) {
      return s;
    }
    Matcher m = CARD.matcher(s);
    StringBuilder out = null;
    int last = 0;
    while (m.find()) {
      String digits = m.group().replaceAll("[ -]", "");
      if (digits.length() >= 13 && digits.length() <= 19 && luhn(digits)) {
        if (out == null) {
          out = new StringBuilder(s.length());
        }
        out.append(s, last, m.start()).append(marker(digits));
        last = m.end();
      }
    }
    if (out == null) {
      return s;
    }
    return out.append(s, last, s.length()).toString();
  }

  static boolean luhn(String digits) {
    int sum = 0;
    boolean dbl = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (dbl) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      dbl = !dbl;
    }
    return sum % 10 == 0;
  }

  private String marker(String secret) {
    if (hashKey == null) {
      return MARKER;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(hashKey, "HmacSHA256"));
      byte[] h = mac.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return "[REDACTED:" + HexFormat.of().formatHex(h, 0, 6) + "]";
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      return MARKER;
    }
  }

  private static boolean looksLikeJson(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isWhitespace(c)) {
        return c == '{' || c == '[';
      }
    }
    return false;
  }

  private static boolean isForm(@Nullable String contentType) {
    return contentType != null
        && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
