package dev.tapline.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Response;
import dev.tapline.core.endpoint.EndpointKey;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Finds the logins in recorded traffic, one exchange at a time: a credential a request presented
 * ({@code Authorization: Bearer [REDACTED:h]}, {@code Cookie: SID=[REDACTED:h]}) is linked to the
 * response that issued it ({@code "access_token": "[REDACTED:h]"}, {@code Set-Cookie:
 * SID=[REDACTED:h]}) by the keyed hash both markers carry. Needs exchanges redacted with a hash key
 * ({@code tapline proxy --redact-key-file}); without one nothing links.
 *
 * <pre>{@code
 * AuthLinks links = new AuthLinks();
 * for (Exchange e : exchanges) {
 *   links.accept(e, endpoints.resolve(e.service(), e.request()).key());
 * }
 * AuthFlows flows = links.flows();     // POST /login: access_token -> Authorization: Bearer <token>
 * }</pre>
 *
 * <p>For each way of presenting (a header, a cookie) the login is the endpoint that issued most of
 * the credentials presented that way, so a token from {@code POST /register} used once does not
 * displace {@code POST /login}; every request presenting that way then belongs to that login, also
 * one whose token came from before the recording. The recorded login repeated is the first (by
 * exchange id) successful one. Memory is bounded by {@value #MAX_TRACKED} tracked hashes; the result
 * does not depend on the order of the exchanges (within that bound).
 */
public final class AuthLinks {
  static final int MAX_TRACKED = 20_000;
  private static final int MAX_BODY_CHARS = 64 * 1024;
  private static final int MAX_DEPTH = 3;
  /** Login body fields whose recorded value the run may replace: who logs in, not the secret. */
  private static final Pattern IDENTITY = Pattern.compile(
      "(?i).*(user|login|e-?mail|account|tenant|client[-_]?id|realm|audience|organi[sz]ation).*|name|username|scope");

  private record Issue(EndpointKey endpoint, TokenSource source, String exchangeId) {}

  private record Issuer(EndpointKey endpoint, TokenSource source) {}

  private record Sample(String exchangeId, String method, String path, @Nullable String rawQuery,
      @Nullable String contentType, @Nullable String body, int status) {}

  private final Map<String, Issue> issued = bounded();
  private final Map<String, Map<String, Long>> presented = bounded();
  private final TreeMap<String, CredentialForm> forms = new TreeMap<>();
  private final TreeMap<String, Long> formUses = new TreeMap<>();
  private final TreeMap<EndpointKey, Sample> logins = new TreeMap<>();
  private long unkeyed;

  private static <V> Map<String, V> bounded() {
    return new LinkedHashMap<>(256, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_TRACKED;
      }
    };
  }

  /** Folds one exchange in; {@code key} is its endpoint (from the caller's endpoint chain). */
  public synchronized void accept(Exchange e, EndpointKey key) {
    Response resp = e.response();
    if (resp != null && resp.status() >= 200 && resp.status() < 300) {
      List<Credentials.Issued> is = Credentials.issued(resp);
      if (!is.isEmpty()) {
        for (Credentials.Issued i : is) {
          issued.merge(i.hash(), new Issue(key, i.source(), e.id()), AuthLinks::first);
        }
        Body b = e.request().body();
        String text = b.isEmpty() || b.truncated() ? null : b.textOrNull();
        Sample s = new Sample(e.id(), e.request().method().toUpperCase(Locale.ROOT), e.request().path(),
            e.request().rawQuery(), b.isEmpty() ? null : b.contentType() != null ? b.contentType()
                : e.request().headers().first("content-type"),
            text == null || text.length() > MAX_BODY_CHARS ? null : text, resp.status());
        logins.merge(key, s, (a, c) -> a.exchangeId().compareTo(c.exchangeId()) <= 0 ? a : c);
      }
    }
    for (Credentials.Presented p : Credentials.presented(e.request())) {
      String k = p.form().key();
      forms.merge(k, p.form(), (a, b) -> a.toString().compareTo(b.toString()) <= 0 ? a : b);
      formUses.merge(k, 1L, Long::sum);
      if (p.hash() == null) {
        unkeyed++;
      } else {
        presented.computeIfAbsent(p.hash(), h -> new TreeMap<>()).merge(k, 1L, Long::sum);
      }
    }
  }

  private static Issue first(Issue a, Issue b) {
    int c = a.exchangeId().compareTo(b.exchangeId());
    if (c == 0) {
      c = a.source().describe().compareTo(b.source().describe());
    }
    return c <= 0 ? a : b;
  }

  /** The logins found so far. */
  public synchronized AuthFlows flows() {
    Comparator<Issuer> order = Comparator.comparing(Issuer::endpoint)
        .thenComparing(i -> i.source().describe());
    TreeMap<String, Map<Issuer, Long>> counts = new TreeMap<>();
    presented.forEach((hash, byForm) -> {
      Issue i = issued.get(hash);
      if (i != null) {
        byForm.forEach((form, n) -> counts.computeIfAbsent(form, f -> new HashMap<>())
            .merge(new Issuer(i.endpoint(), i.source()), n, Long::sum));
      }
    });
    TreeMap<EndpointKey, List<LoginFlow.Link>> byLogin = new TreeMap<>();
    TreeMap<EndpointKey, List<String>> formsByLogin = new TreeMap<>();
    counts.forEach((form, issuers) -> {
      Issuer best = null;
      long most = -1;
      List<Issuer> sorted = new ArrayList<>(issuers.keySet());
      sorted.sort(order);
      for (Issuer i : sorted) {
        long n = issuers.get(i);
        if (n > most) {
          best = i;
          most = n;
        }
      }
      if (best != null && logins.containsKey(best.endpoint())) {
        byLogin.computeIfAbsent(best.endpoint(), k -> new ArrayList<>()).add(new LoginFlow.Link(best.source(), forms.get(form)));
        formsByLogin.computeIfAbsent(best.endpoint(), k -> new ArrayList<>()).add(form);
      }
    });
    List<LoginFlow> flows = new ArrayList<>();
    TreeMap<String, LoginFlow> byForm = new TreeMap<>();
    Set<String> names = new HashSet<>();
    byLogin.forEach((endpoint, links) -> {
      Sample s = logins.get(endpoint);
      String name = name(endpoint);
      String unique = name;
      for (int i = 2; !names.add(unique); i++) {
        unique = name + i;
      }
      long uses = 0;
      for (String f : formsByLogin.get(endpoint)) {
        uses += formUses.getOrDefault(f, 0L);
      }
      LoginFlow flow = new LoginFlow(unique, endpoint, s.exchangeId(), s.method(), s.path(), s.rawQuery(),
          s.contentType(), s.body(), s.status(), links, credentialsOf(s.contentType(), s.body()), uses);
      flows.add(flow);
      formsByLogin.get(endpoint).forEach(f -> byForm.put(f, flow));
    });
    TreeMap<String, Long> unlinked = new TreeMap<>();
    formUses.forEach((form, n) -> {
      if (!byForm.containsKey(form)) {
        unlinked.put(form, n);
      }
    });
    return new AuthFlows(flows, byForm, unlinked, unkeyed);
  }

  /** A short camelCase name from the login's last two literal path segments: {@code webSession}. */
  static String name(EndpointKey endpoint) {
    if (endpoint.hasOperation()) {
      String op = endpoint.operationName();
      return op == null || op.isEmpty() ? "login" : Character.toLowerCase(op.charAt(0)) + op.substring(1).replaceAll("[^A-Za-z0-9]", "");
    }
    List<String> words = new ArrayList<>();
    for (String seg : endpoint.template().split("/")) {
      if (seg.isEmpty() || seg.startsWith("{") || seg.equalsIgnoreCase("api") || seg.matches("(?i)v\\d+")) {
        continue;
      }
      String w = seg.replaceAll("[^A-Za-z0-9]+", " ").trim();
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    List<String> last = words.subList(Math.max(0, words.size() - 2), words.size());
    StringBuilder sb = new StringBuilder();
    for (String w : String.join(" ", last).split(" ")) {
      if (w.isEmpty()) {
        continue;
      }
      String lower = w.toLowerCase(Locale.ROOT);
      sb.append(sb.length() == 0 ? lower : Character.toUpperCase(lower.charAt(0)) + lower.substring(1));
    }
    String s = sb.toString();
    return s.isEmpty() || !Character.isLetter(s.charAt(0)) ? "login" + s : s;
  }

  /**
   * What the run supplies in a login's body: every field that was redacted (the run must give it),
   * and the fields that say who logs in ({@code username}, {@code email}, {@code client_id}), which
   * keep their recorded value unless the run gives another.
   */
  public static List<Credential> credentialsOf(@Nullable String contentType, @Nullable String body) {
    if (body == null || body.isBlank()) {
      return List.of();
    }
    List<Credential> found = new ArrayList<>();
    if (Body.isForm(contentType)) {
      for (String pair : body.split("&")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          continue;
        }
        String field = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        credential(field, List.of(field), value, found);
      }
    } else {
      JsonNode root;
      try {
        root = ExchangeCodec.readTree(body);
      } catch (Exception e) {
        return List.of();
      }
      collect(root, new ArrayList<>(), found, 0);
    }
    // A name two fields share is written as the dotted path.
    Map<String, Integer> seen = new HashMap<>();
    found.forEach(c -> seen.merge(c.name(), 1, Integer::sum));
    List<Credential> out = new ArrayList<>();
    for (Credential c : found) {
      out.add(seen.get(c.name()) > 1 ? new Credential(String.join(".", c.path()), c.path(), c.recorded()) : c);
    }
    return List.copyOf(out);
  }

  private static void collect(JsonNode n, List<String> path, List<Credential> out, int depth) {
    if (!n.isObject() || depth > MAX_DEPTH) {
      return;
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      List<String> p = new ArrayList<>(path);
      p.add(e.getKey());
      JsonNode v = e.getValue();
      if (v.isTextual()) {
        credential(e.getKey(), p, v.textValue(), out);
      } else if (v.isObject()) {
        collect(v, p, out, depth + 1);
      }
    }
  }

  private static void credential(String field, List<String> path, String value, List<Credential> out) {
    if (Credentials.isMarker(value) || value.startsWith("[REDACTED")) {
      out.add(new Credential(field, path, null));
    } else if (IDENTITY.matcher(field).matches() && !value.isEmpty() && value.length() <= 200) {
      out.add(new Credential(field, path, value));
    }
  }
}
