package dev.tapline.testgen;

import dev.tapline.core.endpoint.EndpointKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.tapline.testgen.Catalog.Endpoint;
import dev.tapline.testgen.Catalog.Produced;
import dev.tapline.testgen.Catalog.StatusStats;
import dev.tapline.testgen.Plan.ClassPlan;
import dev.tapline.testgen.Plan.Expr;
import dev.tapline.testgen.Plan.Step;
import dev.tapline.testgen.Plan.TestCase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Turns the catalog into test cases: picks representative scenarios per endpoint and status, links
 * path parameters to the requests that create them, and decides which values are asserted.
 */
final class Planner {
  private static final int MAX_HISTORY = 5;
  private static final int MAX_DEPTH = 3;
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
      .withObjectIndenter(new DefaultIndenter("  ", "\n"))
      .withArrayIndenter(new DefaultIndenter("  ", "\n"));

  private final Catalog catalog;
  private final GeneratorOptions options;
  private final String schemaRoot;
  final TreeMap<String, String> schemas = new TreeMap<>();
  final TreeMap<EndpointKey, Integer> scenariosPerEndpoint = new TreeMap<>();
  final TreeMap<EndpointKey, Integer> notWritten = new TreeMap<>();
  private final Map<String, Link> links = new HashMap<>();

  record Link(EndpointKey producer, String field, boolean string) {}

  Planner(Catalog catalog, GeneratorOptions options) {
    this.catalog = catalog;
    this.options = options;
    this.schemaRoot = options.packageName().replace('.', '/') + "/schemas";
  }

  List<ClassPlan> plan(Predicate<EndpointKey> include) {
    // Which resource names occur in more than one service: those classes carry the service name.
    Map<String, Set<String>> servicesByResource = new HashMap<>();
    for (EndpointKey k : catalog.endpoints.keySet()) {
      servicesByResource.computeIfAbsent(Names.className("", Names.resource(k.template()), false),
          r -> new TreeSet<>()).add(k.service());
    }
    TreeMap<String, List<Endpoint>> byClass = new TreeMap<>();
    for (Endpoint ep : catalog.endpoints.values()) {
      if (!include.test(ep.key)) {
        continue;
      }
      String resource = Names.resource(ep.key.template());
      boolean qualify = servicesByResource.get(Names.className("", resource, false)).size() > 1;
      byClass.computeIfAbsent(Names.className(ep.key.service(), resource, qualify), c -> new ArrayList<>()).add(ep);
    }
    List<ClassPlan> out = new ArrayList<>();
    for (Map.Entry<String, List<Endpoint>> e : byClass.entrySet()) {
      Set<String> methodNames = new HashSet<>();
      List<TestCase> tests = new ArrayList<>();
      Endpoint first = e.getValue().get(0);
      for (Endpoint ep : e.getValue()) {
        for (Candidate c : pick(ep)) {
          tests.add(testCase(ep, c, methodNames, e.getKey()));
        }
      }
      out.add(new ClassPlan(e.getKey(), first.key.service(), Names.resource(first.key.template()), tests));
    }
    return out;
  }

  /** Up to max-per-endpoint candidates, round-robin over statuses so every status is covered. */
  private List<Candidate> pick(Endpoint ep) {
    List<List<Candidate>> perStatus = new ArrayList<>();
    int total = 0;
    for (StatusStats st : ep.statuses.values()) {
      List<Candidate> list = new ArrayList<>(st.candidates.values());
      list.sort((a, b) -> a.exchangeId().compareTo(b.exchangeId()));
      perStatus.add(list);
      total += list.size();
    }
    List<Candidate> chosen = new ArrayList<>();
    for (int round = 0; chosen.size() < options.maxPerEndpoint(); round++) {
      boolean any = false;
      for (List<Candidate> list : perStatus) {
        if (round < list.size() && chosen.size() < options.maxPerEndpoint()) {
          chosen.add(list.get(round));
          any = true;
        }
      }
      if (!any) {
        break;
      }
    }
    chosen.sort((a, b) -> a.status() != b.status() ? Integer.compare(a.status(), b.status())
        : a.exchangeId().compareTo(b.exchangeId()));
    scenariosPerEndpoint.put(ep.key, chosen.size());
    if (total > chosen.size()) {
      notWritten.put(ep.key, total - chosen.size());
    }
    return chosen;
  }

  private TestCase testCase(Endpoint ep, Candidate c, Set<String> methodNames, String className) {
    StatusStats st = ep.statuses.get(c.status());
    String name = Names.testMethod(ep.key, ep.operationId, c.status());
    String unique = name;
    for (int i = 2; !methodNames.add(unique); i++) {
      unique = name + "_" + i;
    }
    Context ctx = new Context();
    List<String> comments = new ArrayList<>();
    comments.add("Recorded exchange " + c.exchangeId() + " (" + c.method() + " " + c.rawPath()
        + (c.query().isEmpty() ? "" : "?...") + " -> " + c.status() + ").");
    boolean notFound = c.status() == 404 || c.status() == 410;
    List<Expr> params = new ArrayList<>();
    for (int i = 0; i < ep.paramNames.size(); i++) {
      String value = c.paramValues().get(i);
      if (notFound) {
        String var = ctx.name(ep.paramNames.get(i));
        boolean numeric = value.matches("-?\\d{1,18}");
        params.add(new Plan.Fresh(var, numeric));
        if (i == ep.paramNames.size() - 1) {
          comments.add("A fresh random id: no recorded resource is assumed to exist.");
        }
      } else {
        params.add(valueFor(ep, i, value, c, ctx, 0, comments));
      }
    }
    Step main = new Step(ep.key, c, ep.paramNames, params, null, null, false);
    if (ep.key.method().equals("GET") && ctx.setup.isEmpty() && listedItems(c)) {
      // A collection that had items when recorded: create one first, so that on an empty store
      // the items' schema is still exercised.
      Endpoint create = catalog.endpoints.get(new EndpointKey(ep.key.service(), "POST", ep.key.basePath(), ep.key.template()));
      Candidate pc = create == null || !create.paramNames.isEmpty() ? null : producerCandidate(create, "");
      if (pc != null) {
        ctx.setup.add(new Step(create.key, pc, create.paramNames, List.of(), null, null, false));
        comments.add("Creates an item first like exchange " + pc.exchangeId() + " did, so the list is not empty.");
      }
    }

    String schema = null;
    if (st.jsonBodies > 0 && st.jsonBodies == st.count) {
      String file = Names.slug(className.replace("ContractTest", "")) + "/" + c.method().toLowerCase(java.util.Locale.ROOT)
          + "-" + Names.slug(Names.shortTemplate(ep.key.path())) + "-" + c.status() + ".json";
      schema = schemaRoot + "/" + file;
      if (!schemas.containsKey(schema)) {
        schemas.put(schema, prettyJson(st.body.toDraft04(true)));
      }
    }
    String mime = st.mimes.size() == 1 && st.emptyBodies == 0 ? st.mimes.first() : null;
    TreeMap<String, String> literals = new TreeMap<>();
    if (st.jsonBodies == st.count && st.jsonBodies > 0) {
      literals.putAll(st.values.stable(ep.paramNames.isEmpty() || st.paramsVaried));
      Set<String> echo = st.values.echoPaths();
      if (!echo.isEmpty() && c.responseBody() != null) {
        JsonNode resp = Catalog.parse(c.responseBody());
        if (resp != null) {
          Map<String, JsonNode> flat = new TreeMap<>();
          Values.flatten(resp, "", flat, 0);
          JsonNode reqJson = c.requestBody() != null && !c.binaryRequest() ? Catalog.parse(c.requestBody()) : null;
          Map<String, JsonNode> reqFlat = new TreeMap<>();
          if (reqJson != null) {
            Values.flatten(reqJson, "", reqFlat, 0);
          }
          Set<String> queryNames = new HashSet<>();
          c.query().forEach(q -> queryNames.add(q.name()));
          for (String p : echo) {
            boolean fromRequest = reqFlat.containsKey(p) || !p.contains(".") && queryNames.contains(p);
            if (fromRequest && flat.containsKey(p) && !Values.isNoise(p, flat.get(p).toString())) {
              literals.put(p, flat.get(p).toString());
            }
          }
        }
      }
    }
    String display = ep.key.display() + " \u2192 " + c.status();
    return new TestCase(unique, display, ep.key, c.status(), comments, ctx.setup, main, schema, mime,
        st.emptyBodies == st.count, literals);
  }

  /** True when the recorded response is an object with a non-empty array, or a non-empty array. */
  private static boolean listedItems(Candidate c) {
    if (c.responseBody() == null || c.status() != 200) {
      return false;
    }
    JsonNode n = Catalog.parse(c.responseBody());
    if (n == null) {
      return false;
    }
    if (n.isArray()) {
      return !n.isEmpty();
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      if (e.getValue().isArray() && !e.getValue().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Per test: the setup steps and the variables they define. */
  private static final class Context {
    final List<Step> setup = new ArrayList<>();
    final Map<String, String> varByValue = new LinkedHashMap<>();
    final Set<String> names = new HashSet<>();

    String name(String base) {
      String id = Names.identifier(base, "id");
      String unique = id;
      for (int i = 2; !names.add(unique); i++) {
        unique = id + i;
      }
      return unique;
    }
  }

  private Expr valueFor(Endpoint ep, int i, String value, Candidate user, Context ctx, int depth,
      List<String> comments) {
    String existing = ctx.varByValue.get(value);
    if (existing != null) {
      return new Plan.Var(existing);
    }
    Link link = depth < MAX_DEPTH ? link(ep, i) : null;
    Endpoint producer = link == null ? null : catalog.endpoints.get(link.producer());
    Candidate pc = producer == null ? null : producerCandidate(producer, value);
    if (link == null || producer == null || pc == null) {
      comments.add("Uses the recorded " + ep.paramNames.get(i) + " " + value
          + ": the traffic shows no request that creates it.");
      return new Plan.Literal(value);
    }
    List<Expr> pparams = new ArrayList<>();
    for (int j = 0; j < producer.paramNames.size(); j++) {
      pparams.add(valueFor(producer, j, pc.paramValues().get(j), user, ctx, depth + 1, comments));
    }
    String var = ctx.name(ep.paramNames.get(i));
    ctx.varByValue.put(value, var);
    ctx.setup.add(new Step(producer.key, pc, producer.paramNames, pparams, var, link.field(), link.string()));
    comments.add("Creates its own " + var + " like exchange " + pc.exchangeId() + " did.");
    // Replay the state changes the recorded resource went through before the recorded request.
    TreeSet<FlowEvent> history = catalog.events.get(value);
    if (history != null) {
      FlowEvent self = new FlowEvent(user.startedAt(), user.exchangeId(), ep.key, user);
      int n = 0;
      for (FlowEvent ev : history) {
        if (ev.compareTo(self) >= 0 || n >= MAX_HISTORY) {
          break;
        }
        Endpoint evEp = catalog.endpoints.get(ev.endpoint());
        if (evEp == null || ev.exchangeId().equals(pc.exchangeId())) {
          continue;
        }
        List<Expr> eparams = new ArrayList<>();
        for (int j = 0; j < evEp.paramNames.size(); j++) {
          String v = ev.request().paramValues().get(j);
          String known = ctx.varByValue.get(v);
          eparams.add(known != null ? new Plan.Var(known) : new Plan.Literal(v));
        }
        ctx.setup.add(new Step(evEp.key, ev.request(), evEp.paramNames, eparams, null, null, false));
        comments.add("Then brings it into the recorded state like exchange " + ev.exchangeId() + ".");
        n++;
      }
    }
    return new Plan.Var(var);
  }

  /** The create request for a value: the one that produced it when kept, else the endpoint's first success. */
  private @Nullable Candidate producerCandidate(Endpoint producer, String value) {
    Produced p = catalog.producers.get(value);
    Candidate best = null;
    for (StatusStats st : producer.statuses.values()) {
      if (st.status < 200 || st.status >= 300) {
        continue;
      }
      for (Candidate c : st.candidates.values()) {
        if (p != null && c.exchangeId().equals(p.exchangeId())) {
          return c;
        }
        if (best == null || c.exchangeId().compareTo(best.exchangeId()) < 0) {
          best = c;
        }
      }
    }
    return best;
  }

  /** Which endpoint and response field create the values of parameter {@code i} of {@code ep}. */
  @Nullable Link link(Endpoint ep, int i) {
    String cacheKey = ep.key + "#" + i;
    if (links.containsKey(cacheKey)) {
      return links.get(cacheKey);
    }
    TreeMap<String, Integer> votes = new TreeMap<>();
    Map<String, Produced> byVote = new HashMap<>();
    for (String v : ep.paramValues.get(i).values()) {
      Produced p = catalog.producers.get(v);
      if (p != null && !p.endpoint().equals(ep.key)) {
        String k = p.endpoint() + "#" + p.field();
        votes.merge(k, 1, Integer::sum);
        byVote.putIfAbsent(k, p);
      }
    }
    Link link = null;
    String bestKey = null;
    for (Map.Entry<String, Integer> v : votes.entrySet()) {
      if (bestKey == null || v.getValue() > votes.get(bestKey)) {
        bestKey = v.getKey();
      }
    }
    if (bestKey != null) {
      Produced p = byVote.get(bestKey);
      link = new Link(p.endpoint(), p.field(), isStringField(p.endpoint(), p.field()));
    } else {
      link = structuralLink(ep, i);
    }
    links.put(cacheKey, link);
    return link;
  }

  /** No recorded value matched: a POST to the collection just before the parameter, returning an id. */
  private @Nullable Link structuralLink(Endpoint ep, int i) {
    String[] segs = ep.key.template().split("/");
    int seen = -1;
    StringBuilder prefix = new StringBuilder();
    for (String seg : segs) {
      if (seg.isEmpty()) {
        continue;
      }
      if (seg.startsWith("{") && seg.endsWith("}") && ++seen == i) {
        break;
      }
      prefix.append('/').append(seg);
    }
    EndpointKey create = new EndpointKey(ep.key.service(), "POST", ep.key.basePath(), prefix.length() == 0 ? "/" : prefix.toString());
    Endpoint producer = catalog.endpoints.get(create);
    if (producer == null || create.equals(ep.key)) {
      return null;
    }
    for (StatusStats st : producer.statuses.values()) {
      if (st.status >= 200 && st.status < 300 && st.body.properties.containsKey("id")
          && st.body.properties.get("id").isRequiredIn(st.body)) {
        return new Link(create, "id", isStringField(create, "id"));
      }
    }
    return null;
  }

  private boolean isStringField(EndpointKey producer, String field) {
    Endpoint ep = catalog.endpoints.get(producer);
    if (ep == null) {
      return true;
    }
    for (StatusStats st : ep.statuses.values()) {
      JsonShape f = st.body.properties.get(field);
      if (f != null && f.strings == 0 && (f.integers > 0 || f.decimals > 0)) {
        return false;
      }
    }
    return true;
  }

  static String prettyJson(JsonNode node) {
    try {
      return JSON.writer(PRETTY).writeValueAsString(node) + "\n";
    } catch (Exception e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
