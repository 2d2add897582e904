package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapline.core.endpoint.PathGlob;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What one routing key's route says, as the admin API's {@code PUT /routes/{key}} takes it and
 * {@code GET} shows it: where its requests normally go, and per method and path rules that come first.
 *
 * <pre>{@code
 * proxy.routes().put("pr-42", RouteSpec.fromJson(json));                   // the admin API's body
 * proxy.routes().put("pr-42", new RouteSpec(sandbox, null, List.of(
 *     new RouteSpec.Rule("GET", "/orders/**", new RouteSpec.Override(URI.create("http://127.0.0.1:8000"), Set.of())),
 *     new RouteSpec.Rule(null, "/payments/**", new RouteSpec.Fault(503, 0, false, 0.5)))));
 * }</pre>
 *
 * <p>A request carrying the key takes the first rule whose method and path match it; without one,
 * the route's {@code override} when there is one, else its normal target: the {@code upstream}, or
 * the baseline when the route has none. An override's normal target is what it falls back to.
 *
 * @param upstream the sandbox the key's requests go to, or null for the baseline
 * @param override a developer's process that every request of the key tries first, or null
 * @param rules tried in order before {@code override} and {@code upstream}; at most {@value #MAX_RULES}
 */
public record RouteSpec(@Nullable URI upstream, @Nullable Override override, List<Rule> rules) {
  /** The most rules one route holds. */
  public static final int MAX_RULES = 64;
  /** The longest delay a fault rule may add: 5 minutes. */
  public static final long MAX_DELAY_MS = 300_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ROUTE_FIELDS = Set.of("key", "upstream", "override", "exceptStatus", "rules");
  private static final Set<String> RULE_FIELDS = Set.of("method", "path", "override", "exceptStatus", "mock", "fault");
  private static final Set<String> MOCK_FIELDS = Set.of("status", "headers", "body", "exchange");
  private static final Set<String> FAULT_FIELDS = Set.of("status", "delayMs", "reset", "share");

  public RouteSpec {
    upstream = upstream == null ? null : Upstream.validate(upstream, "upstream");
    rules = List.copyOf(requireNonNull(rules, "rules"));
    if (rules.size() > MAX_RULES) {
      throw new IllegalArgumentException("a route holds at most " + MAX_RULES + " rules, got " + rules.size());
    }
  }

  /** A route to a sandbox upstream and nothing else: what {@code --sandbox KEY=URL} sets. */
  public static RouteSpec to(URI upstream) {
    return new RouteSpec(requireNonNull(upstream, "upstream"), null, List.of());
  }

  /** This route with its override set (null removes it). */
  public RouteSpec withOverride(@Nullable Override o) {
    return new RouteSpec(upstream, o, rules);
  }

  /** What a rule does with the requests it matches. */
  public sealed interface Action permits Override, Mock, Recorded, Fault {}

  /**
   * Sends the request to {@code url} first. Without {@code exceptStatus}, its answer is used when it
   * carries the override header ({@code sd-override: true} by default, {@link
   * ProxyConfig#overrideHeader()}); with it, unless its status is one of those. Otherwise, or when
   * {@code url} is down or too slow, the request goes to the route's normal target.
   */
  public record Override(URI url, Set<Integer> exceptStatus) implements Action {
    public Override {
      url = Upstream.validate(requireNonNull(url, "url"), "override");
      exceptStatus = Collections.unmodifiableSet(new TreeSet<>(requireNonNull(exceptStatus, "exceptStatus")));
      for (int s : exceptStatus) {
        checkStatus(s, "exceptStatus");
      }
    }

    public Override(URI url) {
      this(url, Set.of());
    }
  }

  /** Answers with this status, these headers and this body, without any upstream. */
  public record Mock(int status, Map<String, String> headers, String body) implements Action {
    public Mock {
      checkStatus(status, "mock.status");
      Map<String, String> copy = new LinkedHashMap<>();
      requireNonNull(headers, "headers").forEach((n, v) -> copy.put(headerName(n), headerValue(n, v)));
      headers = Collections.unmodifiableMap(copy);
      requireNonNull(body, "body");
    }
  }

  /**
   * Answers with the response of a recorded exchange, read from the recorder ({@link
   * ProxyConfig#recorderUrl()}): the one with this id, or with {@value #LATEST} the newest live
   * exchange of the request's own endpoint (service, method and path template) that a sandbox or
   * the baseline answered.
   */
  public record Recorded(String exchange) implements Action {
    /** The {@code exchange} that means the newest one of the request's endpoint. */
    public static final String LATEST = "latest";

    public Recorded {
      requireNonNull(exchange, "exchange");
      if (exchange.isBlank() || exchange.length() > 128) {
        throw new IllegalArgumentException("mock.exchange must be an exchange id or \"latest\", got \""
            + abbreviate(exchange) + "\"");
      }
    }

    public boolean latest() {
      return exchange.equals(LATEST);
    }
  }

  /**
   * For a {@code share} of the matching requests (the others go on to the next rule): waits {@code
   * delayMs} first, then answers {@code status} (a JSON error body), resets the connection, or when
   * neither is given sends the request on to the route's normal target.
   *
   * @param status 0 for none
   */
  public record Fault(int status, long delayMs, boolean reset, double share) implements Action {
    public Fault {
      if (status != 0) {
        checkStatus(status, "fault.status");
      }
      if (delayMs < 0 || delayMs > MAX_DELAY_MS) {
        throw new IllegalArgumentException("fault.delayMs must be from 0 to " + MAX_DELAY_MS + ", got " + delayMs);
      }
      if (status != 0 && reset) {
        throw new IllegalArgumentException("a fault answers a status or resets the connection, not both");
      }
      if (status == 0 && delayMs == 0 && !reset) {
        throw new IllegalArgumentException("a fault needs status, delayMs or reset, e.g. {\"status\": 503}");
      }
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException("fault.share must be more than 0 and at most 1, got " + share);
      }
    }
  }

  /**
   * One rule: requests whose method (any, when null; {@code GET} also takes {@code HEAD}) and path
   * match take {@code action}.
   *
   * @param path a glob ({@code *} within a segment, {@code **} across) or a template ({@code
   *     /orders/{id}}), matched against the path without the query
   */
  public record Rule(@Nullable String method, String path, Action action) {
    public Rule {
      if (method != null) {
        method = method.strip().toUpperCase(Locale.ROOT);
        if (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
          throw new IllegalArgumentException("rule method must be a method name like GET, got \"" + abbreviate(method)
              + "\"");
        }
      }
      requireNonNull(path, "path");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("rule path must start with /, like /orders/** or /orders/{id}, got \""
            + abbreviate(path) + "\"");
      }
      if (path.length() > 1024) {
        throw new IllegalArgumentException("rule path must be at most 1024 characters, got " + path.length());
      }
      PathGlob.compile(path);
      requireNonNull(action, "action");
    }
  }

  // ---- JSON, as the admin API reads and writes it (docs/API.md) ----

  /**
   * Reads a route from the admin API's JSON: {@code {"upstream"?, "override"?, "exceptStatus"?,
   * "rules"?}}; a {@code "key"} field is ignored (it comes from the path).
   *
   * @throws IllegalArgumentException naming the field and what it takes
   */
  public static RouteSpec fromJson(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("a route must be a JSON object like {\"upstream\": \"http://127.0.0.1:8082\"}");
    }
    fields(n, ROUTE_FIELDS, "a route");
    URI upstream = n.hasNonNull("upstream") ? url(n.get("upstream"), "upstream") : null;
    Override override = null;
    if (n.hasNonNull("override")) {
      override = new Override(url(n.get("override"), "override"), statuses(n.get("exceptStatus"), "exceptStatus"));
    } else if (n.hasNonNull("exceptStatus")) {
      throw new IllegalArgumentException("exceptStatus goes with override");
    }
    List<Rule> rules = new ArrayList<>();
    JsonNode rs = n.get("rules");
    if (rs != null && !rs.isNull()) {
      if (!rs.isArray()) {
        throw new IllegalArgumentException("rules must be an array of rules like {\"path\": \"/orders/**\", \"override\":"
            + " \"http://127.0.0.1:8000\"}");
      }
      for (int i = 0; i < rs.size(); i++) {
        try {
          rules.add(rule(rs.get(i)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("rules[" + i + "]: " + e.getMessage(), e);
        }
      }
    }
    if (upstream == null && override == null && rules.isEmpty()) {
      throw new IllegalArgumentException("a route needs upstream, override or rules, e.g. {\"upstream\":"
          + " \"http://127.0.0.1:8082\"} or {\"override\": \"http://127.0.0.1:8000\"}");
    }
    return new RouteSpec(upstream, override, rules);
  }

  /** The route as the admin API shows it: only the fields that are set. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (upstream != null) {
      m.put("upstream", upstream.toString());
    }
    if (override != null) {
      m.put("override", override.url().toString());
      if (!override.exceptStatus().isEmpty()) {
        m.put("exceptStatus", List.copyOf(override.exceptStatus()));
      }
    }
    if (!rules.isEmpty()) {
      m.put("rules", rules.stream().map(RouteSpec::ruleJson).toList());
    }
    return m;
  }

  /** One line for a terminal: {@code -> http://...; override http://...; 2 rules (GET /orders/** override ...)}. */
  public String describe() {
    StringBuilder b = new StringBuilder(upstream == null ? "-> baseline" : "-> " + upstream);
    if (override != null) {
      b.append("; override ").append(override.url());
      if (!override.exceptStatus().isEmpty()) {
        b.append(" except status ").append(join(override.exceptStatus()));
      }
    }
    for (Rule r : rules) {
      b.append("; ").append(r.method() == null ? "" : r.method() + " ").append(r.path()).append(' ').append(describe(r.action()));
    }
    return b.toString();
  }

  private static String describe(Action a) {
    return switch (a) {
      case Override o -> "override " + o.url() + (o.exceptStatus().isEmpty() ? "" : " except status " + join(o.exceptStatus()));
      case Mock m -> "mock " + m.status();
      case Recorded r -> "mock of recorded exchange " + r.exchange();
      case Fault f -> "fault " + (f.status() != 0 ? "status " + f.status() : f.reset() ? "reset" : "delay")
          + (f.delayMs() > 0 && (f.status() != 0 || f.reset()) ? " after " + f.delayMs() + " ms" : "")
          + (f.status() == 0 && !f.reset() ? " " + f.delayMs() + " ms" : "")
          + (f.share() < 1 ? " for " + Math.round(f.share() * 100) + "%" : "");
    };
  }

  private static String join(Set<Integer> statuses) {
    return String.join(",", statuses.stream().map(String::valueOf).toList());
  }

  private static Map<String, Object> ruleJson(Rule r) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (r.method() != null) {
      m.put("method", r.method());
    }
    m.put("path", r.path());
    switch (r.action()) {
      case Override o -> {
        m.put("override", o.url().toString());
        if (!o.exceptStatus().isEmpty()) {
          m.put("exceptStatus", List.copyOf(o.exceptStatus()));
        }
      }
      case Mock k -> {
        Map<String, Object> mock = new LinkedHashMap<>();
        mock.put("status", k.status());
        if (!k.headers().isEmpty()) {
          mock.put("headers", k.headers());
        }
        if (!k.body().isEmpty()) {
          mock.put("body", k.body());
        }
        m.put("mock", mock);
      }
      case Recorded rec -> m.put("mock", Map.of("exchange", rec.exchange()));
      case Fault f -> {
        Map<String, Object> fault = new LinkedHashMap<>();
        if (f.status() != 0) {
          fault.put("status", f.status());
        }
        if (f.delayMs() != 0) {
          fault.put("delayMs", f.delayMs());
        }
        if (f.reset()) {
          fault.put("reset", true);
        }
        if (f.share() < 1) {
          fault.put("share", f.share());
        }
        m.put("fault", fault);
      }
    }
    return m;
  }

  private static Rule rule(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("a rule must be an object like {\"path\": \"/orders/**\", \"override\":"
          + " \"http://127.0.0.1:8000\"}");
    }
    fields(n, RULE_FIELDS, "a rule");
    JsonNode path = n.get("path");
    if (path == null || !path.isTextual()) {
      throw new IllegalArgumentException("a rule needs a string \"path\", a glob like /orders/** or a template like"
          + " /orders/{id}");
    }
    String method = null;
    if (n.hasNonNull("method")) {
      if (!n.get("method").isTextual()) {
        throw new IllegalArgumentException("method must be a string like \"GET\"");
      }
      method = n.get("method").asText();
    }
    int actions = (n.hasNonNull("override") ? 1 : 0) + (n.hasNonNull("mock") ? 1 : 0) + (n.hasNonNull("fault") ? 1 : 0);
    if (actions != 1) {
      throw new IllegalArgumentException("a rule needs exactly one of override, mock and fault, got " + actions);
    }
    if (n.hasNonNull("exceptStatus") && !n.hasNonNull("override")) {
      throw new IllegalArgumentException("exceptStatus goes with override");
    }
    Action action;
    if (n.hasNonNull("override")) {
      action = new Override(url(n.get("override"), "override"), statuses(n.get("exceptStatus"), "exceptStatus"));
    } else if (n.hasNonNull("mock")) {
      action = mock(n.get("mock"));
    } else {
      action = fault(n.get("fault"));
    }
    return new Rule(method, path.asText(), action);
  }

  private static Action mock(JsonNode m) {
    if (!m.isObject()) {
      throw new IllegalArgumentException("mock must be an object: {\"status\": 200, \"headers\"?: {...}, \"body\"?: ...}"
          + " or {\"exchange\": ID}");
    }
    fields(m, MOCK_FIELDS, "mock");
    if (m.hasNonNull("exchange")) {
      if (m.size() != 1) {
        throw new IllegalArgumentException("mock.exchange stands alone: the recorded response brings its status, headers"
            + " and body");
      }
      if (!m.get("exchange").isTextual()) {
        throw new IllegalArgumentException("mock.exchange must be a string: an exchange id or \"latest\"");
      }
      return new Recorded(m.get("exchange").asText().strip());
    }
    JsonNode status = m.get("status");
    if (status == null || !status.canConvertToInt() || !status.isIntegralNumber()) {
      throw new IllegalArgumentException("mock needs a whole-number \"status\", e.g. {\"status\": 200}, or"
          + " {\"exchange\": ID} for a recorded response");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    JsonNode hs = m.get("headers");
    boolean contentType = false;
    if (hs != null && !hs.isNull()) {
      if (!hs.isObject()) {
        throw new IllegalArgumentException("mock.headers must be an object of name: value strings");
      }
      for (Map.Entry<String, JsonNode> e : hs.properties()) {
        if (!e.getValue().isValueNode() || e.getValue().isNull()) {
          throw new IllegalArgumentException("mock.headers." + e.getKey() + " must be a string");
        }
        headers.put(e.getKey(), e.getValue().asText());
        contentType |= e.getKey().equalsIgnoreCase("content-type");
      }
    }
    String body = "";
    JsonNode b = m.get("body");
    if (b != null && !b.isNull()) {
      if (b.isTextual()) {
        body = b.asText();
      } else {
        // A JSON body given as JSON: written compactly, and said to be JSON unless a header says otherwise.
        body = b.toString();
        if (!contentType) {
          headers.put("content-type", "application/json");
        }
      }
    }
    return new Mock(status.asInt(), headers, body);
  }

  private static Action fault(JsonNode f) {
    if (!f.isObject()) {
      throw new IllegalArgumentException("fault must be an object: {\"status\": 503} or {\"delayMs\": 2000} or"
          + " {\"reset\": true}, with an optional \"share\" from 0 to 1");
    }
    fields(f, FAULT_FIELDS, "fault");
    int status = 0;
    if (f.hasNonNull("status")) {
      if (!f.get("status").isIntegralNumber()) {
        throw new IllegalArgumentException("fault.status must be a whole number like 503");
      }
      status = f.get("status").asInt();
    }
    long delay = 0;
    if (f.hasNonNull("delayMs")) {
      if (!f.get("delayMs").isIntegralNumber()) {
        throw new IllegalArgumentException("fault.delayMs must be a whole number of milliseconds");
      }
      delay = f.get("delayMs").asLong();
    }
    boolean reset = false;
    if (f.hasNonNull("reset")) {
      if (!f.get("reset").isBoolean()) {
        throw new IllegalArgumentException("fault.reset must be true or false");
      }
      reset = f.get("reset").asBoolean();
    }
    double share = 1;
    if (f.hasNonNull("share")) {
      if (!f.get("share").isNumber()) {
        throw new IllegalArgumentException("fault.share must be a number from 0 to 1");
      }
      share = f.get("share").asDouble();
    }
    return new Fault(status, delay, reset, share);
  }

  private static void fields(JsonNode n, Set<String> known, String what) {
    Iterator<String> names = n.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new IllegalArgumentException(what + " does not take \"" + abbreviate(name) + "\"; it takes "
            + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  private static URI url(JsonNode v, String field) {
    if (!v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException(field + " must be a URL string like \"http://127.0.0.1:8000\"");
    }
    try {
      return new URI(v.asText().strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(field + " is not a URL: " + e.getMessage(), e);
    }
  }

  private static Set<Integer> statuses(@Nullable JsonNode v, String field) {
    if (v == null || v.isNull()) {
      return Set.of();
    }
    if (!v.isArray()) {
      throw new IllegalArgumentException(field + " must be an array of statuses like [404, 501]");
    }
    Set<Integer> out = new TreeSet<>();
    for (JsonNode s : v) {
      if (!s.isIntegralNumber()) {
        throw new IllegalArgumentException(field + " must be an array of statuses like [404, 501], got " + s);
      }
      out.add(s.asInt());
    }
    return out;
  }

  private static int checkStatus(int s, String field) {
    if (s < 200 || s > 599) {
      throw new IllegalArgumentException(field + " must be a status from 200 to 599, got " + s);
    }
    return s;
  }

  private static String headerName(String n) {
    requireNonNull(n, "header name");
    if (n.isEmpty() || !n.chars().allMatch(c -> c > 32 && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0)) {
      throw new IllegalArgumentException("mock header name must be a token like content-type, got \"" + abbreviate(n)
          + "\"");
    }
    return n;
  }

  private static String headerValue(String name, String v) {
    requireNonNull(v, "header value");
    if (v.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
      throw new IllegalArgumentException("mock header " + name + " must not hold CR, LF or NUL");
    }
    return v;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  /** Parses {@code json} text; for tests and callers holding a string. */
  public static RouteSpec parse(String json) {
    try {
      return fromJson(JSON.readTree(json));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("a route must be JSON: " + e.getOriginalMessage(), e);
    }
  }
}
