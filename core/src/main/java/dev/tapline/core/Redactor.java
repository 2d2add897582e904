package dev.tapline.core;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.redact.FieldRule;
import dev.tapline.core.redact.HeaderRule;
import dev.tapline.core.redact.KnownSecrets;
import dev.tapline.core.redact.RedactionRule;
import dev.tapline.core.redact.Trigger;
import dev.tapline.core.redact.ValueRule;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Removes secrets from an exchange before it leaves the proxy, by a list of {@link RedactionRule
 * rules}, and records where (never what) in {@link Exchange#redactions()}.
 *
 * <pre>{@code
 * Exchange safe = Redactor.defaults().redact(captured);
 *
 * Redactor custom = Redactor.builder()
 *     .hashKey(key)                                   // [REDACTED:<hmac>] instead of [REDACTED]
 *     .addHeaders(List.of("x-tenant-secret"))
 *     .addRule(ValueRule.of("acme-key", "\\bacme_[A-Za-z0-9]{32}\\b", Trigger.word("acme_")))
 *     .build();
 * }</pre>
 *
 * <p><b>What the defaults remove.</b>
 *
 * <ul>
 *   <li>Headers on {@link #DEFAULT_HEADERS}, and headers whose name the field rule matches ({@code
 *       X-Session}, {@code X-Refresh-Token}): the whole value.
 *   <li>Fields named by {@link #DEFAULT_FIELD_WORDS} (anywhere in the name) or {@link
 *       #DEFAULT_FIELD_WHOLE_WORDS} (a whole word of it: {@code pin}, {@code userPin}, not {@code
 *       pinned}): JSON keys at any depth, also in JSON held in a JSON string; form fields, repeated
 *       and {@code name[]} ones included; {@code multipart/form-data} parts; query parameters; and
 *       {@code name=value} or {@code name: value} in header values and text bodies, URLs' query
 *       strings among them ({@code Referer: https://x/?token=...}).
 *   <li>The {@link KnownSecrets value rules} in every header value, the query, each path segment,
 *       the authority and every text body whatever its content type: PEM private keys, JWTs, AWS,
 *       GitHub, GitLab, Stripe, Slack, Google and npm keys, {@code Bearer} and {@code Basic}
 *       credentials, a URL's {@code user:password@} (removed), card numbers.
 * </ul>
 *
 * <p>Bodies are read as UTF-8, or as UTF-16 when they have its byte order mark, a {@code
 * charset=utf-16*} content type, or the NULs of UTF-16 text; they are written back in the encoding
 * they came in. Binary bodies (and binary multipart parts) are left alone.
 *
 * <p><b>Markers.</b> A redacted value becomes {@link #MARKER}; with a {@link Builder#hashKey hash
 * key} every redacted value becomes {@code [REDACTED:<12 hex digits of HMAC-SHA256(key, secret)>]},
 * so that equal secrets stay equal across exchanges (an {@code Authorization: Bearer t} header and a
 * JSON {@code "access_token": "t"} get the same marker). With a key, sensitive headers keep what is no
 * secret, so that a credential can be linked to the response that issued it: the scheme ({@code
 * Bearer [REDACTED:..]}), cookie names ({@code sid=[REDACTED:..]; theme=[REDACTED:..]}) and {@code
 * Set-Cookie} attributes ({@code sid=[REDACTED:..]; Path=/; HttpOnly}); without one their whole value
 * is {@link #MARKER}. {@code user:password@} is removed rather than marked. Redaction names: {@code request.header:authorization}; {@code
 * response.body:$.user.password} (JSON), {@code request.body:password} (form, multipart, text),
 * {@code request.query:token} (by field name); {@code response.body:jwt}, {@code
 * request.query:card-number}, {@code request.path:jwt}, {@code request.authority:url-userinfo} (by
 * value rule).
 *
 * <p><b>Adding a rule.</b> Every rule brings its own pre-filter, its {@link RedactionRule#triggers()
 * triggers}: words (ASCII, any case), whole words of a name, digit runs, each word optionally
 * {@link Trigger.Confirm confirmed} by a look at the characters around it. The redactor compiles the
 * triggers of all its rules into one scanner that reads each body's bytes once, undecoded, and says
 * which rules may match; a body nothing fires on is returned as it is, and otherwise only the rules
 * that fired run, on the decoded text. So a new rule needs nothing but its triggers (pass it to
 * {@link Builder#addRule}), and they must fire on every text it would change: a rule whose trigger
 * misses a text is never run on it. {@code RedactorTest} checks that for every rule of a redactor,
 * rules added through the builder included.
 */
public final class Redactor {
  public static final String MARKER = "[REDACTED]";

  public static final Set<String> DEFAULT_HEADERS = Set.of(
      "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token",
      "x-csrf-token", "x-xsrf-token", "x-amz-security-token", "x-goog-api-key", "api-key");

  /**
   * Field names containing one of these (ignoring case, {@code _} and {@code -}) are redacted by
   * default: {@code userPassword}, {@code client_secret}, {@code access-key}, {@code JSESSIONID}.
   */
  public static final List<String> DEFAULT_FIELD_WORDS = List.of(
      "password", "passwd", "passphrase", "passcode", "secret", "token", "apikey", "credential",
      "privatekey", "accesskey", "sessionid", "signature");

  /**
   * Field names having one of these as a whole word (split at {@code _ - .}, camelCase and
   * digits) are redacted by default: {@code pin}, {@code cardPin}, {@code PIN_CODE}, not {@code
   * pinned}, {@code spinach}, {@code author} or {@code inside}.
   */
  public static final List<String> DEFAULT_FIELD_WHOLE_WORDS = List.of(
      "pwd", "pass", "pin", "auth", "session", "sid", "otp", "refresh", "ssn", "cvv", "cvc", "csrf", "xsrf");

  /** Headers whose name a field rule matches but whose value is no secret. */
  private static final Set<String> NOT_SECRET_HEADERS = Set.of("access-control-allow-credentials");

  private final List<RedactionRule> rules;
  private final HeaderRule[] headerRules;
  private final FieldRule[] fieldRules;
  private final ValueRule[] valueRules;
  private final long[] valueBits; // by value rule: its bit in what the scanner returns
  private final long fieldBits; // the bits of all field rules
  private final long valueRuleBits; // the bits of all value rules
  private final RuleScanner scanner;
  private final byte @Nullable [] hashKey;
  private final @Nullable ThreadLocal<Mac> mac;

  private Redactor(List<RedactionRule> rules, byte @Nullable [] hashKey, boolean preFilter) {
    this.rules = List.copyOf(rules);
    this.hashKey = hashKey;
    this.mac = hashKey == null ? null : ThreadLocal.withInitial(() -> newMac(hashKey));
    if (hashKey != null) {
      newMac(hashKey); // fails here, not on the first capture
    }
    List<HeaderRule> headers = new ArrayList<>();
    List<FieldRule> fields = new ArrayList<>();
    List<ValueRule> values = new ArrayList<>();
    List<Long> vBits = new ArrayList<>();
    List<RuleScanner.Entry> triggers = new ArrayList<>();
    long fBits = 0;
    long allValues = 0;
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
          allValues |= bit;
        }
      }
    }
    this.headerRules = headers.toArray(HeaderRule[]::new);
    this.fieldRules = fields.toArray(FieldRule[]::new);
    this.valueRules = values.toArray(ValueRule[]::new);
    this.valueBits = vBits.stream().mapToLong(Long::longValue).toArray();
    this.fieldBits = fBits;
    this.valueRuleBits = allValues;
    // Without pre-filters (for tests), every text is taken as one any rule may match in.
    this.scanner = RuleScanner.compile(preFilter ? triggers
        : List.of(new RuleScanner.Entry(Trigger.always(), ~RuleScanner.SIGNS)));
  }

  private static long bitOf(int ruleIndex) {
    return 1L << Math.min(ruleIndex, RuleScanner.RULE_BITS - 1);
  }

  private static Mac newMac(byte[] key) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("hashKey cannot key HMAC-SHA256: " + e.getMessage(), e);
    }
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
    private final Set<String> removed = new LinkedHashSet<>();
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
     * instead of the default field words. It cannot be scanned for: every JSON and form body is
     * then parsed.
     */
    public Builder fieldNamePattern(String regex) {
      FieldRule.pattern(regex); // fails here on a bad regex
      this.fieldNames = regex;
      return this;
    }

    /** Whether card numbers are redacted (the {@code card-number} rule); on by default. */
    public Builder cardNumbers(boolean on) {
      if (on) {
        removed.remove(KnownSecrets.CARD_NUMBER.name());
      } else {
        removed.add(KnownSecrets.CARD_NUMBER.name());
      }
      return this;
    }

    /** Leaves out the default value rule named {@code name} (one of {@link KnownSecrets#all()}), e.g. {@code jwt}. */
    public Builder removeRule(String name) {
      if (KnownSecrets.all().stream().noneMatch(r -> r.name().equals(name))) {
        throw new IllegalArgumentException("no default rule is named " + name + "; they are "
            + KnownSecrets.all().stream().map(ValueRule::name).toList());
      }
      removed.add(name);
      return this;
    }

    /** Adds a rule after the defaults; see the class comment on what its triggers must do. */
    public Builder addRule(RedactionRule rule) {
      added.add(requireNonNull(rule, "rule"));
      return this;
    }

    /**
     * Keep an HMAC-SHA256 prefix of each redacted value so equal secrets can be correlated: every
     * marker becomes {@code [REDACTED:<12 hex digits>]}. Null for plain {@link #MARKER}s.
     */
    public Builder hashKey(byte @Nullable [] key) {
      this.hashKey = key == null ? null : key.clone();
      return this;
    }

    public Redactor build() {
      List<RedactionRule> rules = new ArrayList<>();
      rules.add(HeaderRule.of(headers));
      rules.add(fieldNames == null
          ? FieldRule.words(DEFAULT_FIELD_WORDS, DEFAULT_FIELD_WHOLE_WORDS)
          : FieldRule.pattern(fieldNames));
      for (ValueRule v : KnownSecrets.all()) {
        if (!removed.contains(v.name())) {
          rules.add(v);
        }
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
    Set<String> names = new FoundNames(e.redactions());
    Request req = e.request();
    String authority = redactAuthority(req, names);
    String path = redactPath(req.path(), names);
    Headers reqHeaders = redactHeaders(req.headers(), "request", names);
    String baggage = redactBaggage(e.baggage(), names);
    String query = redactQuery(req.rawQuery(), names);
    Body reqBody = redactBody(req.body(), "request", names);
    Response resp = e.response();
    Headers respHeaders = resp == null ? null : redactHeaders(resp.headers(), "response", names);
    Body respBody = resp == null ? null : redactBody(resp.body(), "response", names);
    Headers respTrailers = resp == null || resp.trailers().isEmpty() ? null
        : redactHeaders(resp.trailers(), "response", names);
    if (names.size() == e.redactions().size() && authority == req.authority() && path == req.path()
        && baggage == e.baggage()
        && reqHeaders == req.headers() && query == req.rawQuery() && reqBody == req.body()
        && (resp == null || (respHeaders == resp.headers() && respBody == resp.body()
            && (respTrailers == null || respTrailers == resp.trailers())))) {
      return e; // nothing to redact: the common case
    }
    Request newReq = new Request(req.method(), req.scheme(), authority, path, query, reqHeaders, reqBody);
    Response newResp = resp == null ? null : new Response(resp.status(), respHeaders, respBody,
        respTrailers == null ? resp.trailers() : respTrailers);
    return new Exchange(e.id(), e.startedAt(), e.durationMicros(), e.service(), e.proxy(),
        e.routingKey(), e.target(), e.traceparent(), baggage, newReq, newResp, e.error(),
        List.copyOf(names), e.protocol());
  }

  /** The exchange's copy of the {@code baggage} header, redacted as the header is. */
  private @Nullable String redactBaggage(@Nullable String baggage, Set<String> names) {
    if (baggage == null) {
      return null;
    }
    long bits = scanner.scan(baggage);
    return (bits & (~RuleScanner.SIGNS | RuleScanner.PERCENT)) == 0 ? baggage
        : redactText(baggage, bits, at("request.header:baggage", names));
  }

  /**
   * Whether a header's whole value is redacted: it is on a header rule's list, or a field rule
   * matches its name ({@code X-Session}, {@code X-Refresh-Token}).
   */
  public boolean isSensitiveHeader(String name) {
    for (HeaderRule h : headerRules) {
      if (h.matches(name)) {
        return true;
      }
    }
    return isSensitiveField(name) && !NOT_SECRET_HEADERS.contains(name.toLowerCase(Locale.ROOT));
  }

  public boolean isSensitiveField(String name) {
    if ((scanner.scan(name) & fieldBits) == 0) {
      return false; // no field rule's trigger fired on the name
    }
    for (FieldRule f : fieldRules) {
      if (f.matches(name)) {
        return true;
      }
    }
    return false;
  }

  // ---- for tests ----

  /** The same rules run on every text, as if every trigger fired: what the pre-filters must not change. */
  Redactor withoutPreFilters() {
    return new Redactor(rules, hashKey, false);
  }

  RuleScanner scanner() {
    return scanner;
  }

  /** Whether the scanner says {@code rule} may match in {@code bytes} (read as a body is). */
  boolean mayMatch(RedactionRule rule, byte[] bytes) {
    long bits = scanner.scan(bytes);
    return (bits & RuleScanner.FOLD) != 0 || (bits & bitOf(rules.indexOf(rule))) != 0;
  }

  /** Whether the scanner says {@code rule} may match in {@code text} (read as a header value is). */
  boolean mayMatch(RedactionRule rule, String text) {
    return (scanner.scan(text) & bitOf(rules.indexOf(rule))) != 0;
  }

  // ---- shared by the parts that read bodies (JsonRedaction, MultipartRedaction) ----

  /** The rule bits (and {@link RuleScanner#SIGNS}) of what may match in {@code text}. */
  long scan(CharSequence text) {
    return scanner.scan(text);
  }

  long fieldBits() {
    return fieldBits;
  }

  long valueRuleBits() {
    return valueRuleBits;
  }

  /**
   * The redaction names of one exchange, in the order first found, each once. An exchange has a
   * few at most, so a list searched from the start costs less than a hash set built per exchange
   * (which the proxy's profile showed on every capture with a {@code Set-Cookie}).
   */
  private static final class FoundNames extends AbstractSet<String> {
    private final List<String> list;

    FoundNames(List<String> initial) {
      list = new ArrayList<>(initial.size() + 4);
      addAll(initial);
    }

    @Override
    public boolean add(String name) {
      if (list.contains(name)) {
        return false;
      }
      return list.add(name);
    }

    @Override
    public boolean contains(Object o) {
      return list.contains(o);
    }

    @Override
    public Iterator<String> iterator() {
      return Collections.unmodifiableList(list).iterator();
    }

    @Override
    public int size() {
      return list.size();
    }
  }

  /** Where redactions are recorded, and under which names. */
  interface Names {
    /** A value rule named {@code rule} found a secret. */
    void value(String rule);

    /** The value of the field (parameter) {@code name} was redacted. */
    void field(String name);
  }

  /** Names in a body: {@code response.body:<rule>}, {@code response.body:<field>}. */
  static Names inBody(String where, Set<String> names) {
    return new Names() {
      @Override
      public void value(String rule) {
        names.add(where + rule);
      }

      @Override
      public void field(String name) {
        names.add(where + name);
      }
    };
  }

  /** Every redaction in one place gets that place's name ({@code request.header:referer}). */
  static Names at(String name, Set<String> names) {
    return new Names() {
      @Override
      public void value(String rule) {
        names.add(name);
      }

      @Override
      public void field(String field) {
        names.add(name);
      }
    };
  }

  /** {@code text} with the value rules in {@code bits} applied; the same instance when none changed it. */
  String applyValueRules(String text, long bits, Names hits) {
    if ((bits & valueRuleBits) == 0) {
      return text;
    }
    String out = text;
    for (int i = 0; i < valueRules.length; i++) {
      if ((bits & valueBits[i]) != 0) {
        String r = valueRules[i].redact(out, this::marker);
        if (r != null) {
          out = r;
          hits.value(valueRules[i].name());
        }
      }
    }
    return out;
  }

  /**
   * {@code text} with its secrets redacted as a value seen anywhere (a header value, a JSON string,
   * a line of text): the value rules, then {@code name=value} and {@code name: value} whose name a
   * field rule matches, URL query strings among them. The same instance when nothing changed.
   */
  String redactText(String text, long bits, Names hits) {
    String out = applyValueRules(text, bits, hits);
    // a field word, or a % that may encode one (?%74oken=)
    return (bits & (fieldBits | RuleScanner.PERCENT)) == 0 ? out : redactAssignments(out, hits);
  }

  // name=value, name: value, name="value"; the name starting a text, a line or after ? & # ; , { ( [
  private static final Pattern ASSIGNMENT = Pattern.compile(
      "(?<![^\\s?&#;,{(\\[])([A-Za-z0-9_.\\-\\[\\]%]{1,100})[ \\t]*[=:][ \\t]*(?:\"([^\"\\r\\n]*)\"|'([^'\\r\\n]*)'|([^\\s&#;,\"'<>\\\\]+))");

  private String redactAssignments(String text, Names hits) {
    Matcher m = ASSIGNMENT.matcher(text);
    StringBuilder out = null;
    int last = 0;
    int from = 0;
    while (from < text.length() && m.find(from)) {
      String name = decode(m.group(1));
      int g = m.start(2) >= 0 ? 2 : m.start(3) >= 0 ? 3 : 4;
      String value = m.group(g);
      if (!isSensitiveField(name) || value.startsWith("[REDACTED")) {
        from = m.end(1); // what followed the name may hold a pair of its own (https://x/?token=...)
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length());
      }
      out.append(text, last, m.start(g)).append(marker(decode(value)));
      last = m.end(g);
      from = m.end();
      hits.field(name);
    }
    return out == null ? text : out.append(text, last, text.length()).toString();
  }

  // ---- the parts of a request ----

  private String redactAuthority(Request req, Set<String> names) {
    String a = req.authority();
    // Value rules apply to the authority as a URL: the one secret it can carry is user:password@.
    if (a.indexOf('@') < 0) {
      return a;
    }
    String prefix = req.scheme() + "://";
    String url = prefix + a;
    String r = applyValueRules(url, scanner.scan(url), inBody("request.authority:", names));
    return r == url || !r.startsWith(prefix) ? a : r.substring(prefix.length());
  }

  /** Path segments: value rules (a JWT or key as a segment) and matrix parameters ({@code ;jsessionid=}). */
  private String redactPath(String path, Set<String> names) {
    long bits = scanner.scan(path);
    if ((bits & (valueRuleBits | fieldBits)) == 0) {
      return path;
    }
    Names hits = inBody("request.path:", names);
    String[] segments = path.split("/", -1);
    boolean changed = false;
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      String r = redactText(s, scanner.scan(s), hits);
      if (r != s) {
        segments[i] = r;
        changed = true;
      }
    }
    return changed ? String.join("/", segments) : path;
  }

  private Headers redactHeaders(Headers in, String side, Set<String> names) {
    List<Header> out = null;
    for (int i = 0; i < in.entries().size(); i++) {
      Header h = in.entries().get(i);
      String value = h.value();
      String newValue = value;
      if (isSensitiveHeader(h.name())) {
        newValue = mac == null ? MARKER : keyedHeader(h.name(), value);
        names.add(side + ".header:" + h.name().toLowerCase(Locale.ROOT));
      } else {
        long bits = scanner.scan(value);
        if ((bits & (~RuleScanner.SIGNS | RuleScanner.PERCENT)) != 0) {
          newValue = redactText(value, bits, at(side + ".header:" + h.name().toLowerCase(Locale.ROOT), names));
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

  /**
   * A sensitive header's value with a hash key: what is no secret stays so the credential can be
   * linked to where it came from. {@code Authorization: Bearer t} becomes {@code Bearer [REDACTED:h(t)]},
   * so its marker equals that of a response's {@code "access_token": "t"}; each cookie of a {@code
   * Cookie} header keeps its name ({@code sid=[REDACTED:h]; theme=[REDACTED:h2]}), and a {@code
   * Set-Cookie} its name and attributes ({@code sid=[REDACTED:h]; Path=/; HttpOnly}), so a cookie a
   * login set and the one a later request sent carry the same marker.
   */
  private String keyedHeader(String name, String value) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals("cookie")) {
      StringBuilder out = new StringBuilder(value.length() + 16);
      for (String pair : value.split(";", -1)) {
        if (out.length() > 0) {
          out.append(';');
        }
        out.append(keyedCookie(pair));
      }
      return out.toString();
    }
    if (lower.equals("set-cookie") || lower.equals("set-cookie2")) {
      String[] parts = value.split(";", -1);
      StringBuilder out = new StringBuilder(value.length() + 16).append(keyedCookie(parts[0]));
      for (int i = 1; i < parts.length; i++) {
        String attr = parts[i];
        int eq = attr.indexOf('=');
        String attrName = (eq < 0 ? attr : attr.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
        out.append(';').append(COOKIE_ATTRIBUTES.contains(attrName) ? attr : keyedCookie(attr));
      }
      return out.toString();
    }
    String credential = credentialOf(value);
    return credential == value ? marker(value)
        : value.substring(0, value.indexOf(' ')) + " " + marker(credential);
  }

  /** The attributes of a {@code Set-Cookie} (RFC 6265 and the common extensions): none is a secret. */
  private static final Set<String> COOKIE_ATTRIBUTES = Set.of(
      "expires", "max-age", "domain", "path", "secure", "httponly", "samesite", "partitioned", "priority");

  /** {@code name=value} with the value marked; an empty value stays empty (logging out clears a cookie). */
  private String keyedCookie(String pair) {
    int eq = pair.indexOf('=');
    if (eq < 0) {
      return pair.isBlank() ? pair : marker(pair.trim());
    }
    String v = pair.substring(eq + 1).trim();
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    return v.isEmpty() ? pair : pair.substring(0, eq + 1) + marker(v);
  }

  /** What a credential header's marker hashes: {@code t} of {@code Bearer t}, so it matches {@code "token": "t"}. */
  private static String credentialOf(String value) {
    int sp = value.indexOf(' ');
    if (sp <= 0 || sp > 20) {
      return value;
    }
    for (int i = 0; i < sp; i++) {
      char c = value.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '-')) {
        return value;
      }
    }
    return value.substring(sp + 1).trim();
  }

  private @Nullable String redactQuery(@Nullable String query, Set<String> names) {
    if (query == null || query.isEmpty()) {
      return query;
    }
    long bits = scanner.scan(query);
    if ((bits & (valueRuleBits | fieldBits | RuleScanner.PERCENT)) == 0) {
      return query;
    }
    return redactPairs(query, inBody("request.query:", names));
  }

  /**
   * {@code name=value} pairs joined by {@code &} (a query, a form body): a value whose (decoded)
   * name a field rule matches becomes a marker; others get the value rules, on the value as it is
   * and decoded, and field rules for the pairs of a URL it holds.
   */
  String redactPairs(String s, Names hits) {
    StringBuilder out = null;
    int copied = 0; // s[0, copied) is in out
    int start = 0;
    while (true) {
      int amp = s.indexOf('&', start);
      int end = amp < 0 ? s.length() : amp;
      int eq = s.indexOf('=', start);
      if (eq >= end) {
        eq = -1;
      }
      int valueStart = eq < 0 ? start : eq + 1;
      String raw = s.substring(valueStart, end);
      String replacement = null;
      String name = eq < 0 ? null : decode(s.substring(start, eq));
      if (name != null && isSensitiveField(name)) {
        replacement = marker(decode(raw));
        hits.field(name);
      } else if (!raw.isEmpty()) {
        String r = redactPairValue(raw, hits);
        replacement = r == raw ? null : r;
      }
      if (replacement != null) {
        if (out == null) {
          out = new StringBuilder(s.length() + 16);
        }
        out.append(s, copied, valueStart).append(replacement);
        copied = end;
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    return out == null ? s : out.append(s, copied, s.length()).toString();
  }

  /** A query or form value: value rules as it is, then (when it is encoded) on its decoded form. */
  private String redactPairValue(String raw, Names hits) {
    long bits = scanner.scan(raw);
    String r = (bits & ~RuleScanner.SIGNS) == 0 ? raw : redactText(raw, bits, hits);
    if ((bits & RuleScanner.PERCENT) == 0 && raw.indexOf('+') < 0) {
      return r;
    }
    String decoded = decode(r);
    long dBits = scanner.scan(decoded);
    if ((dBits & ~RuleScanner.SIGNS) == 0) {
      return r;
    }
    String d = redactText(decoded, dBits, hits);
    return d == decoded ? r : marker(decoded);
  }

  // ---- bodies ----

  private Body redactBody(Body body, String side, Set<String> names) {
    byte[] bytes = body.bytes();
    if (bytes.length == 0) {
      return body;
    }
    long bits = scanner.scan(bytes);
    if ((bits & ~(RuleScanner.ESCAPE | RuleScanner.PERCENT)) == 0
        && ((bits & RuleScanner.ESCAPE) == 0 || !(body.isJson() || startsLikeJson(bytes)))
        && ((bits & RuleScanner.PERCENT) == 0 || !Body.isForm(body.contentType()))
        && (bits == 0 || MultipartRedaction.boundaryOf(body.contentType()) == null)) {
      // Most bodies hold nothing any rule could match: one look at the bytes, no String made.
      return body;
    }
    String where = side + ".body:";
    Charset utf16 = TextCharsets.utf16(bytes, body.contentType(), (bits & RuleScanner.NUL) != 0);
    if (utf16 != null) {
      String text = TextCharsets.decode(bytes, utf16);
      if (text != null) {
        String r = redactBodyText(text, body.contentType(), scanner.scan(text), where, "$", names);
        return r == text ? body : body.withBytes(TextCharsets.encode(r, utf16, bytes));
      }
    }
    if ((bits & ~RuleScanner.NUL) == 0) {
      return body; // NULs, no UTF-16: binary, and nothing fired
    }
    String boundary = MultipartRedaction.boundaryOf(body.contentType());
    if (boundary != null) {
      byte[] r = MultipartRedaction.redact(this, bytes, boundary, where, names);
      return r == bytes ? body : body.withBytes(r);
    }
    String text = body.textOrNull();
    if (text == null) {
      return body; // binary
    }
    if ((bits & RuleScanner.FOLD) != 0) {
      bits = scanner.scan(text);
    }
    String r = redactBodyText(text, body.contentType(), bits, where, "$", names);
    return r == text ? body : body.withBytes(r.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A body's (or a multipart part's) text, by its content type; the same instance when nothing
   * changed. {@code base} starts the JSON paths: {@code $}, or a part's name.
   */
  String redactBodyText(String text, @Nullable String contentType, long bits, String where, String base, Set<String> names) {
    if (Body.isJson(contentType) || looksLikeJson(text)) {
      if ((bits & (fieldBits | RuleScanner.ESCAPE)) == 0 && !anyValueRuleFinds(text, bits)) {
        return text; // a trigger fired, but no rule matches: no need to parse
      }
      return JsonRedaction.redact(this, text, where, base, names);
    }
    if (Body.isForm(contentType)) {
      return redactPairs(text, inBody(where, names));
    }
    return redactText(text, bits, inBody(where, names));
  }

  private boolean anyValueRuleFinds(String text, long bits) {
    for (int i = 0; i < valueRules.length; i++) {
      if ((bits & valueBits[i]) != 0 && valueRules[i].redact(text, s -> "") != null) {
        return true;
      }
    }
    return false;
  }

  /** The marker for a secret: {@link #MARKER}, or with a hash key its keyed hash. */
  String marker(String secret) {
    if (mac == null) {
      return MARKER;
    }
    byte[] h = mac.get().doFinal(secret.getBytes(StandardCharsets.UTF_8));
    return "[REDACTED:" + HexFormat.of().formatHex(h, 0, 6) + "]";
  }

  static boolean looksLikeJson(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isWhitespace(c)) {
        return c == '{' || c == '[';
      }
    }
    return false;
  }

  private static boolean startsLikeJson(byte[] b) {
    for (byte c : b) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        return c == '{' || c == '[';
      }
    }
    return false;
  }

  static String decode(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
