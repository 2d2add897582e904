package dev.tapline.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tapline.core.redact.FieldRule;
import dev.tapline.core.redact.HeaderRule;
import dev.tapline.core.redact.RedactionRule;
import dev.tapline.core.redact.Trigger;
import dev.tapline.core.redact.ValueRule;
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
 * Removes secrets from an exchange before it leaves the proxy, by a list of {@link RedactionRule
 * rules}: headers on a denylist ({@link HeaderRule}), query parameters and JSON/form fields whose
 * name matches ({@link FieldRule}), and values found by their shape in any text, such as card
 * numbers ({@link ValueRule}). Redacted values become {@link #MARKER} (or {@code [REDACTED:<hash>]}
 * with a keyed hash for correlation); the exchange records where, never what.
 *
 * <pre>{@code
 * Exchange safe = Redactor.defaults().redact(captured);
 *
 * Redactor custom = Redactor.builder()
 *     .addHeaders(List.of("x-session"))
 *     .addRule(ValueRule.of("acme-key", "\\bacme_[A-Za-z0-9]{32}\\b", Trigger.word("acme_")))
 *     .build();
 * }</pre>
 *
 * <p><b>Adding a rule.</b> Every rule brings its own pre-filter, its {@link RedactionRule#triggers()
 * triggers}: words (ASCII, any case), whole words of a name, digit runs. The redactor compiles the
 * triggers of all its rules into one scanner that reads each body once as bytes and says which rules
 * may match; a body no trigger fires on is returned as it is, without being decoded. So a new rule
 * needs nothing but its triggers, and they must fire on everything it would change (a rule whose
 * trigger misses a text is never run on it). A {@link Trigger.Confirm} can look around a trigger word
 * to keep clean bodies on the fast path.
 */
public final class Redactor {
  public static final String MARKER = "[REDACTED]";

  public static final Set<String> DEFAULT_HEADERS = Set.of(
      "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token",
      "x-csrf-token", "x-xsrf-token", "x-amz-security-token", "x-goog-api-key", "api-key");

  /** Field names containing one of these (ignoring case, {@code _} and {@code -}) are redacted by default. */
  public static final List<String> DEFAULT_FIELD_WORDS = List.of(
      "password", "passwd", "secret", "token", "apikey", "credential", "privatekey", "ssn", "cvv", "cvc");

  /** 13-19 digits, optionally grouped by spaces or dashes, that pass the Luhn check. */
  public static final ValueRule CARD_NUMBERS =
      ValueRule.of("card-number", "(?<![\\d.])(?:\\d[ -]?){12,18}\\d(?![\\d.])", Trigger.digits(13))
          .secret(match -> {
            String digits = match.replace(" ", "").replace("-", "");
            return digits.length() >= 13 && digits.length() <= 19 && luhn(digits) ? digits : null;
          });

  private final List<RedactionRule> rules;
  private final HeaderRule[] headerRules;
  private final FieldRule[] fieldRules;
  private final ValueRule[] valueRules;
  private final long[] valueBits; // by value rule: its bit in what the scanner returns
  private final long fieldBits; // the bits of all field rules
  private final RuleScanner scanner;
  private final byte @Nullable [] hashKey;

  private Redactor(List<RedactionRule> rules, byte @Nullable [] hashKey, boolean preFilter) {
    this.rules = List.copyOf(rules);
    this.hashKey = hashKey;
    List<HeaderRule> headers = new ArrayList<>();
    List<FieldRule> fields = new ArrayList<>();
    List<ValueRule> values = new ArrayList<>();
    List<Long> vBits = new ArrayList<>();
    List<RuleScanner.Entry> triggers = new ArrayList<>();
    long fBits = 0;
    for (int i = 0; i < this.rules.size(); i++) {
      RedactionRule rule = this.rules.get(i);
      long bit = bitOf(i);
      for (Trigger t : rule.triggers()) {
        triggers.add(new RuleScanner.Entry(t, bit));
      }
      switch (rule) {
        case HeaderRule h -> headers.add(h);
        case FieldRule f -> {
          fields.add(f);
          fBits |= bit;
        }
        case ValueRule v -> {
          values.add(v);
          vBits.add(bit);
        }
      }
    }
    this.headerRules = headers.toArray(HeaderRule[]::new);
    this.fieldRules = fields.toArray(FieldRule[]::new);
    this.valueRules = values.toArray(ValueRule[]::new);
    this.valueBits = vBits.stream().mapToLong(Long::longValue).toArray();
    this.fieldBits = fBits;
    // Without pre-filters (for tests), every text is taken as one any rule may match in.
    this.scanner = RuleScanner.compile(preFilter ? triggers
        : List.of(new RuleScanner.Entry(Trigger.always(), ~RuleScanner.FOLD)));
  }

  private static long bitOf(int ruleIndex) {
    return 1L << Math.min(ruleIndex, RuleScanner.RULE_BITS - 1);
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
    private @Nullable String fieldNames;
    private boolean cardNumbers = true;
    private final List<RedactionRule> added = new ArrayList<>();
    private byte @Nullable [] hashKey;

    private Builder() {}

    /** Adds header names (any case) to the denylist. */
    public Builder addHeaders(Iterable<String> names) {
      for (String n : names) {
        headers.add(n.toLowerCase(Locale.ROOT).trim());
      }
      return this;
    }

    /**
     * A regex matched against the whole field name (JSON keys, form and query parameter names),
     * instead of {@link #DEFAULT_FIELD_WORDS}. It cannot be scanned for: every JSON and form body is
     * then parsed.
     */
    public Builder fieldNamePattern(String regex) {
      FieldRule.pattern(regex); // fails here on a bad regex
      this.fieldNames = regex;
      return this;
    }

    public Builder cardNumbers(boolean on) {
      this.cardNumbers = on;
      return this;
    }

    /** Adds a rule after the defaults; see the class comment on what its triggers must do. */
    public Builder addRule(RedactionRule rule) {
      added.add(requireNonNull(rule, "rule"));
      return this;
    }

    /** Keep an HMAC-SHA256 prefix of each redacted value so equal secrets can be correlated. */
    public Builder hashKey(byte @Nullable [] key) {
      this.hashKey = key == null ? null : key.clone();
      return this;
    }

    public Redactor build() {
      List<RedactionRule> rules = new ArrayList<>();
      rules.add(HeaderRule.of(headers));
      rules.add(fieldNames == null ? FieldRule.words(DEFAULT_FIELD_WORDS) : FieldRule.pattern(fieldNames));
      if (cardNumbers) {
        rules.add(CARD_NUMBERS);
      }
      rules.addAll(added);
      return new Redactor(rules, hashKey, true);
    }
  }

  /** The rules, in the order they are applied. */
  public List<RedactionRule> rules() {
    return rules;
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
    for (HeaderRule h : headerRules) {
      if (h.matches(name)) {
        return true;
      }
    }
    return false;
  }

  public boolean isSensitiveField(String name) {
    for (FieldRule f : fieldRules) {
      if (f.matches(name)) {
        return true;
      }
    }
    return false;
  }

  /** The same rules run on every text, as if every trigger fired: what the pre-filters must not change. For tests. */
  Redactor withoutPreFilters() {
    return new Redactor(rules, hashKey, false);
  }

  /** Whether the scanner says {@code rule} may match in {@code bytes} (read as a body is). For tests. */
  boolean mayMatch(RedactionRule rule, byte[] bytes) {
    long bits = scanner.scan(bytes);
    return (bits & RuleScanner.FOLD) != 0 || (bits & bitOf(rules.indexOf(rule))) != 0;
  }

  /** Whether the scanner says {@code rule} may match in {@code text} (read as a header value is). For tests. */
  boolean mayMatch(RedactionRule rule, String text) {
    return (scanner.scan(text) & bitOf(rules.indexOf(rule))) != 0;
  }

  /** Applies the value rules whose bits are in {@code bits} to {@code text}; the names of those that changed it go to {@code hits}. */
  private String applyValueRules(String text, long bits, @Nullable List<String> hits) {
    String out = text;
    for (int i = 0; i < valueRules.length; i++) {
      if ((bits & valueBits[i]) != 0) {
        String r = valueRules[i].redact(out, this::marker);
        if (r != null) {
          out = r;
          if (hits != null) {
            hits.add(valueRules[i].name());
          }
        }
      }
    }
    return out;
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
      } else {
        long bits = scanner.scan(value);
        if (bits != 0) {
          newValue = applyValueRules(value, bits, null);
          if (!newValue.equals(value)) {
            names.add(side + ".header:" + h.name().toLowerCase(Locale.ROOT));
          }
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
    long bits = scanner.scan(query);
    String r = (bits & fieldBits) != 0 ? redactPairs(query, "request.query:", names) : query;
    return applyValueRules(r, bits, null);
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
    long bits = scanner.scan(body.bytes());
    if (bits == 0) {
      // Most bodies hold nothing any rule could match: one look at the bytes, no String made.
      return body;
    }
    String text = body.textOrNull();
    if (text == null) {
      return body;
    }
    if ((bits & RuleScanner.FOLD) != 0) {
      bits = scanner.scan(text);
    }
    String redacted = text;
    if ((bits & fieldBits) == 0) {
      // nothing a field rule could match: skip parsing
    } else if (body.isJson() || looksLikeJson(text)) {
      redacted = redactJson(text, side + ".body:", names);
    } else if (isForm(body.contentType())) {
      redacted = redactPairs(text, side + ".body:", names);
    }
    List<String> hits = new ArrayList<>(1);
    redacted = applyValueRules(redacted, bits, hits);
    for (String rule : hits) {
      names.add(side + ".body:" + rule);
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
