package dev.tapline.testgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Origin;
import dev.tapline.core.Response;
import dev.tapline.core.auth.AuthLinks;
import dev.tapline.core.auth.Credentials;
import dev.tapline.core.endpoint.EndpointKey;
import dev.tapline.core.endpoint.Endpoints;
import dev.tapline.core.endpoint.GraphqlOperation;
import dev.tapline.core.endpoint.GraphqlResolver;
import dev.tapline.core.endpoint.Resolution;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Folds exchanges, one at a time, into per-endpoint summaries: what the generator and the spec
 * inference need, bounded by the number of endpoints, shapes and tracked ids, not by the number of
 * exchanges. Exchange order does not change the result (within the caps).
 */
final class Catalog {
  static final int MAX_SIGNATURES_PER_STATUS = 48;
  static final int MAX_TRACKED_IDS = 20_000;
  static final int MAX_EVENTS_PER_ID = 8;
  static final int PARAM_SAMPLE = 256;
  static final int MAX_BODY_CHARS = 256 * 1024;
  static final int MAX_EXAMPLE_CHARS = 8 * 1024;
  static final int MAX_FIELD_VALUES = 64;

  private final GeneratorOptions options;
  private final Endpoints resolver;
  final TreeMap<EndpointKey, Endpoint> endpoints = new TreeMap<>();
  /** The logins the traffic shows, linked to their use by the keyed hashes of redaction. */
  final AuthLinks auth = new AuthLinks();
  final SkipLog skips = new SkipLog();
  long accepted;
  long filtered;
  /**
   * Producer endpoint and id value ({@link #producerKey}) → the exchange that produced it (smallest
   * exchange id wins). Keyed by the endpoint too: small integer ids repeat across tables.
   */
  final LinkedHashMap<String, Produced> producers = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Produced> eldest) {
      return size() > MAX_TRACKED_IDS;
    }
  };
  /** id value → successful state changes made through a path carrying it. */
  final LinkedHashMap<String, TreeSet<FlowEvent>> events = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, TreeSet<FlowEvent>> eldest) {
      return size() > MAX_TRACKED_IDS;
    }
  };

  record Produced(EndpointKey endpoint, String field, String exchangeId, int status) {}

  Catalog(GeneratorOptions options, Endpoints resolver) {
    this.options = options;
    this.resolver = resolver;
  }

  static final class Endpoint {
    final EndpointKey key;
    @Nullable String operationId;
    final List<String> paramNames;
    long count;
    final TreeMap<Integer, StatusStats> statuses = new TreeMap<>();
    final List<TreeSet<Long>> paramHashes = new ArrayList<>();
    final List<Map<Long, String>> paramValues = new ArrayList<>();
    final TreeMap<String, Long> queryNames = new TreeMap<>();
    final JsonShape requestShape = new JsonShape();
    long jsonRequests;
    final TreeSet<String> requestMimes = new TreeSet<>();
    /** Successful creates (POST 2xx with a JSON object body) and the distinct values of their string fields. */
    long createSamples;
    final TreeMap<String, TreeSet<String>> createValues = new TreeMap<>();
    /** In how many of those creates each field was sent. */
    final TreeMap<String, Long> createCounts = new TreeMap<>();
    /** Request fields whose value a 409 answer named: they must be unique. */
    final TreeSet<String> conflictFields = new TreeSet<>();

    Endpoint(EndpointKey key, List<String> paramNames) {
      this.key = key;
      this.paramNames = paramNames;
      for (int i = 0; i < paramNames.size(); i++) {
        paramHashes.add(new TreeSet<>());
        paramValues.add(new HashMap<>());
      }
    }

    void sampleParam(int i, String value) {
      long h = mix(value);
      TreeSet<Long> set = paramHashes.get(i);
      if (set.contains(h)) {
        return;
      }
      if (set.size() < PARAM_SAMPLE) {
        set.add(h);
        paramValues.get(i).put(h, value);
      } else if (h < set.last()) {
        Long evicted = set.pollLast();
        paramValues.get(i).remove(evicted);
        set.add(h);
        paramValues.get(i).put(h, value);
      }
    }

    /**
     * The request fields that must be unique, so a test sends a fresh value: those a 409 named, and
     * those that differed in every one of the (at least three, or two when it is an email) recorded
     * creates that sent them.
     */
    TreeSet<String> uniqueFields() {
      TreeSet<String> out = new TreeSet<>(conflictFields);
      createValues.forEach((field, values) -> {
        long sent = createCounts.getOrDefault(field, 0L);
        boolean email = values.stream().allMatch(v -> v.indexOf('@') > 0);
        boolean enough = sent >= 3 || (sent >= 2 && email);
        if (enough && (values.size() == sent || values.size() >= MAX_FIELD_VALUES)) {
          out.add(field);
        }
      });
      return out;
    }

    private static long mix(String s) {
      long h = 1125899906842597L;
      for (int i = 0; i < s.length(); i++) {
        h = 31 * h + s.charAt(i);
      }
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      return h;
    }
  }

  static final class StatusStats {
    final int status;
    long count;
    final TreeSet<String> mimes = new TreeSet<>();
    final JsonShape body = new JsonShape();
    long jsonBodies;
    long otherBodies;
    long emptyBodies;
    final Values values = new Values();
    /** The first path-parameter values seen, and whether others were seen too. */
    @Nullable String firstParams;
    boolean paramsVaried;
    final TreeMap<String, Candidate> candidates = new TreeMap<>();

    StatusStats(int status) {
      this.status = status;
    }
  }

  void accept(Exchange e, String where) {
    if (options.service() != null && !options.service().equals(e.service())
        || options.routingKey() != null && !options.routingKey().equals(e.routingKey())
        || !options.origins().contains(Origin.of(e.request()))) {
      filtered++;
      return;
    }
    Response resp = e.response();
    if (resp == null) {
      skips.add("no response (" + (e.error() == null ? "unknown" : e.error().kind()) + ")", e.id());
      return;
    }
    String method = e.request().method().toUpperCase(Locale.ROOT);
    String path = e.request().path();
    Resolution r = resolver.resolve(e.service(), e.request());
    EndpointKey key = r.key();
    List<String> names = r.paramNames();
    List<String> values = r.paramValues();
    String opId = r.operationId();
    accepted++;
    auth.accept(e, key);
    Endpoint ep = endpoints.computeIfAbsent(key, k -> new Endpoint(k, names));
    if (opId != null) {
      ep.operationId = opId;
    }
    ep.count++;
    for (int i = 0; i < values.size(); i++) {
      ep.sampleParam(i, values.get(i));
    }
    List<Candidate.QueryParam> query = Candidate.parseQuery(e.request().rawQuery());
    Map<String, String> queryMap = new TreeMap<>();
    for (Candidate.QueryParam q : query) {
      ep.queryNames.merge(q.name(), 1L, Long::sum);
      queryMap.putIfAbsent(q.name(), q.value() == null ? "" : q.value());
    }

    Body reqBody = e.request().body();
    String reqText = null;
    boolean binary = false;
    JsonNode reqJson = null;
    String reqMime = mime(reqBody.contentType() != null ? reqBody.contentType()
        : e.request().headers().first("content-type"));
    if (!reqBody.isEmpty()) {
      if (reqMime != null) {
        ep.requestMimes.add(reqMime);
      }
      reqText = reqBody.textOrNull();
      if (reqText == null) {
        binary = true;
        reqText = Base64.getEncoder().encodeToString(reqBody.bytes());
      } else if (isJsonMime(reqMime)) {
        reqJson = parse(reqText);
        if (reqJson != null) {
          ep.requestShape.merge(reqJson);
          ep.jsonRequests++;
        }
      }
    }

    StatusStats st = ep.statuses.computeIfAbsent(resp.status(), StatusStats::new);
    st.count++;
    String paramsKey = String.join("/", values);
    if (st.firstParams == null) {
      st.firstParams = paramsKey;
    } else if (!st.firstParams.equals(paramsKey)) {
      st.paramsVaried = true;
    }
    Body body = resp.body();
    String respMime = mime(body.contentType() != null ? body.contentType() : resp.headers().first("content-type"));
    if (respMime != null && !body.isEmpty()) {
      st.mimes.add(respMime);
    }
    JsonNode respJson = null;
    String respText = null;
    if (body.isEmpty()) {
      st.emptyBodies++;
    } else if (!body.truncated() && isJsonMime(respMime) && (respText = body.textOrNull()) != null
        && (respJson = parse(respText)) != null) {
      st.body.merge(respJson);
      st.jsonBodies++;
      st.values.observe(respJson, reqJson, queryMap);
    } else {
      st.otherBodies++;
      if (respText == null) {
        respText = body.textOrNull();
      }
    }

    if (reqBody.truncated()) {
      skips.add("request body truncated in the recording (not replayable)", e.id());
    } else if (reqText != null && reqText.length() > MAX_BODY_CHARS) {
      skips.add("request body larger than " + MAX_BODY_CHARS + " characters", e.id());
    } else {
      List<String> credentials = presentedForms(e);
      // With and without credentials are different scenarios (a 401 without one is a test; with one, not).
      String sig = requestSignature(query, reqMime, reqJson, reqText) + (credentials.isEmpty() ? "" : " with " + credentials)
          + " => " + (respJson != null ? JsonShape.signature(respJson) : respMime == null ? "-" : respMime);
      if (method.equals("POST") && reqJson != null && reqJson.isObject()) {
        observeCreate(ep, reqJson, resp.status(), respText);
      }
      Candidate c = new Candidate(e.id(), e.startedAt(), e.request().authority(), method, path, values, query,
          reqBody.isEmpty() ? null : reqBody.contentType() != null ? reqBody.contentType()
              : e.request().headers().first("content-type"),
          reqText, binary, resp.status(), respMime,
          respText == null ? null : respText.length() > MAX_EXAMPLE_CHARS ? null : respText,
          key.hasOperation() ? graphql(e, key, respJson) : null, credentials);
      Candidate prev = st.candidates.get(sig);
      if (prev == null) {
        if (st.candidates.size() < MAX_SIGNATURES_PER_STATUS || sig.compareTo(st.candidates.lastKey()) < 0) {
          st.candidates.put(sig, c);
          if (st.candidates.size() > MAX_SIGNATURES_PER_STATUS) {
            st.candidates.pollLastEntry();
          }
        }
      } else if (c.exchangeId().compareTo(prev.exchangeId()) < 0) {
        st.candidates.put(sig, c);
      }
      trackFlows(key, c, respJson);
    }
  }

  private void trackFlows(EndpointKey key, Candidate c, @Nullable JsonNode respJson) {
    boolean success = c.status() >= 200 && c.status() < 300;
    if (!success) {
      return;
    }
    if ((c.method().equals("POST") || c.method().equals("PUT")) && respJson != null && respJson.isObject()) {
      respJson.properties().forEach(f -> {
        String name = f.getKey();
        JsonNode v = f.getValue();
        if ((name.equals("id") || name.endsWith("Id") || name.endsWith("_id"))
            && (v.isTextual() || v.isIntegralNumber())
            && !v.asText().isEmpty() && v.asText().length() <= 200
            && !c.paramValues().contains(v.asText())) {
          Produced p = new Produced(key, name, c.exchangeId(), c.status());
          producers.merge(producerKey(key, v.asText()), p, (a, b) -> a.exchangeId().compareTo(b.exchangeId()) <= 0 ? a : b);
        }
      });
    }
    if (!c.method().equals("GET") && !c.method().equals("HEAD") && !c.method().equals("OPTIONS")) {
      for (String v : new TreeSet<>(c.paramValues())) {
        TreeSet<FlowEvent> list = events.computeIfAbsent(v, k -> new TreeSet<>());
        // Only the request is replayed: drop the response text to keep tracked ids small.
        Candidate request = c.requestOnly();
        list.add(new FlowEvent(c.startedAt(), c.exchangeId(), key, request));
        if (list.size() > MAX_EVENTS_PER_ID) {
          list.pollLast();
        }
      }
    }
  }

  /** How the request presented redacted credentials: sorted form keys, e.g. {@code [header:authorization]}. */
  private static List<String> presentedForms(Exchange e) {
    List<Credentials.Presented> presented = Credentials.presented(e.request());
    if (presented.isEmpty()) {
      return List.of();
    }
    TreeSet<String> keys = new TreeSet<>();
    presented.forEach(p -> keys.add(p.form().key()));
    return List.copyOf(keys);
  }

  /** The one GraphQL operation of a request, or null for a batch (sent as recorded). */
  private static Candidate.@Nullable Graphql graphql(Exchange e, EndpointKey key, @Nullable JsonNode response) {
    List<GraphqlOperation> ops = GraphqlResolver.defaults().operations(e.request());
    if (ops.size() != 1 || !ops.get(0).operation().equals(key.operation())) {
      return null;
    }
    GraphqlOperation op = ops.get(0);
    boolean errors = response != null && response.isObject() && response.path("errors").isArray()
        && !response.path("errors").isEmpty();
    return new Candidate.Graphql(op.type(), op.name(), op.query(),
        op.variables() == null || op.variables().isNull() ? null : op.variables().toString(), op.fields(), errors);
  }

  /** What creates tell about uniqueness: the values of their string fields, and what a 409 named. */
  private static void observeCreate(Endpoint ep, JsonNode body, int status, @Nullable String responseText) {
    if (status >= 200 && status < 300) {
      ep.createSamples++;
      body.properties().forEach(f -> {
        if (isFreeText(f.getKey(), f.getValue())) {
          ep.createCounts.merge(f.getKey(), 1L, Long::sum);
          TreeSet<String> vals = ep.createValues.computeIfAbsent(f.getKey(), k -> new TreeSet<>());
          if (vals.size() < MAX_FIELD_VALUES) {
            vals.add(f.getValue().textValue());
          }
        }
      });
    } else if (status == 409 && responseText != null) {
      String answer = responseText.toLowerCase(Locale.ROOT);
      body.properties().forEach(f -> {
        if (isFreeText(f.getKey(), f.getValue()) && answer.contains(f.getValue().textValue().toLowerCase(Locale.ROOT))) {
          ep.conflictFields.add(f.getKey());
        }
      });
    }
  }

  /** A string field a user types (not a reference to another resource, not a constant like NEW). */
  private static boolean isFreeText(String name, JsonNode v) {
    if (!v.isTextual() || v.textValue().isBlank() || v.textValue().length() > 200 || !Values.isAssertableName(name)) {
      return false;
    }
    String t = v.textValue();
    if (t.startsWith("[REDACTED") || JsonShape.DATE.matcher(t).matches() || JsonShape.DATE_TIME.matcher(t).matches()
        || JsonShape.UUID.matcher(t).matches() || JsonShape.URI.matcher(t).matches()) {
      return false; // a formatted value: a fresh one would have to keep the format exactly
    }
    boolean constant = t.chars().allMatch(ch -> Character.isUpperCase(ch) || ch == '_' || Character.isDigit(ch));
    String lower = name.toLowerCase(Locale.ROOT);
    return !constant && !lower.equals("id") && !lower.endsWith("id") && !lower.endsWith("_id");
  }

  static String producerKey(EndpointKey producer, String value) {
    return producer + "\u0000" + value;
  }

  static String requestSignature(List<Candidate.QueryParam> query, @Nullable String mime,
      @Nullable JsonNode json, @Nullable String text) {
    StringBuilder sb = new StringBuilder();
    TreeSet<String> names = new TreeSet<>();
    query.forEach(q -> names.add(q.name()));
    sb.append(names);
    if (json != null) {
      sb.append(' ').append(JsonShape.signature(json));
    } else if (text != null) {
      sb.append(' ').append(mime == null ? "body" : mime);
    }
    return sb.toString();
  }

  static @Nullable JsonNode parse(String text) {
    try {
      return ExchangeCodec.readTree(text);
    } catch (Exception ex) {
      return null;
    }
  }

  static @Nullable String mime(@Nullable String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return null;
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  static boolean isJsonMime(@Nullable String mime) {
    return mime != null && (mime.equals("application/json") || mime.endsWith("+json"));
  }

  /** Skips aggregated by reason: a count and the first few exchange ids (or lines). */
  static final class SkipLog {
    final TreeMap<String, Long> counts = new TreeMap<>();
    final TreeMap<String, TreeSet<String>> examples = new TreeMap<>();

    void add(String reason, String where) {
      counts.merge(reason, 1L, Long::sum);
      TreeSet<String> ex = examples.computeIfAbsent(reason, k -> new TreeSet<>());
      ex.add(where);
      if (ex.size() > 5) {
        ex.pollLast();
      }
    }
  }
}
