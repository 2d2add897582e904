package dev.tapline.testgen;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.endpoint.EndpointKey;
import dev.tapline.core.endpoint.OpenApiSpec;
import dev.tapline.core.graphql.GraphqlSchema;
import dev.tapline.testgen.Catalog.Endpoint;
import dev.tapline.testgen.Catalog.Produced;
import dev.tapline.testgen.Catalog.StatusStats;
import dev.tapline.testgen.Plan.BodyText;
import dev.tapline.testgen.Plan.Check;
import dev.tapline.testgen.Plan.ClassPlan;
import dev.tapline.testgen.Plan.Expr;
import dev.tapline.testgen.Plan.Extract;
import dev.tapline.testgen.Plan.Fresh;
import dev.tapline.testgen.Plan.FreshKind;
import dev.tapline.testgen.Plan.GraphqlCall;
import dev.tapline.testgen.Plan.Step;
import dev.tapline.testgen.Plan.TestCase;
import dev.tapline.testgen.Provenance.Producer;
import dev.tapline.testgen.Provenance.Ref;
import io.swagger.v3.oas.models.media.Schema;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Turns the catalog into test cases: picks representative scenarios per endpoint and status, gives
 * every value a request needs its provenance ({@link Provenance}: the test creates or reads what it
 * uses, never a recorded id), makes unique fields and not-found ids fresh and typed, and decides
 * which values are asserted. Every test stands alone: it creates its own data, in any order, on a
 * store that is fresh or full.
 */
final class Planner {
  private static final int MAX_HISTORY = 5;
  private static final int MAX_DEPTH = 4;
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
      .withObjectIndenter(new DefaultIndenter("  ", "\n"))
      .withArrayIndenter(new DefaultIndenter("  ", "\n"));

  private final Catalog catalog;
  private final GeneratorOptions options;
  private final @Nullable OpenApiSpec spec;
  private final String schemaRoot;
  private final Map<String, String> basePaths;
  private final Provenance provenance;
  /** How the tests log in; also decides which recorded requests were sent logged in. */
  final AuthPlan auth;
  /** Scenarios left out because the request presented credentials and was refused (401). */
  final java.util.TreeSet<String> rejected = new java.util.TreeSet<>();
  final TreeMap<String, String> schemas = new TreeMap<>();
  final TreeMap<EndpointKey, Integer> scenariosPerEndpoint = new TreeMap<>();
  final TreeMap<EndpointKey, Integer> notWritten = new TreeMap<>();
  /** The schema that types GraphQL answers' {@code data} ({@code --graphql-schema}), or null. */
  private final @Nullable GraphqlSchema graphqlSchema;
  /** Schema resource → the document that typed it; absent when the file is the recording's. */
  private final Map<String, String> typedBy = new HashMap<>();
  /** Operation → why its {@code data} is checked against the recording although a schema was given. */
  final TreeMap<String, String> graphqlFallbacks = new TreeMap<>();
  /** Operations whose {@code data} the schema types. */
  final TreeSet<String> graphqlTyped = new TreeSet<>();

  Planner(Catalog catalog, GeneratorOptions options, @Nullable OpenApiSpec spec, @Nullable GraphqlSchema graphqlSchema) {
    this.catalog = catalog;
    this.options = options;
    this.spec = spec;
    this.graphqlSchema = graphqlSchema;
    this.schemaRoot = options.packageName().replace('.', '/') + "/schemas";
    this.basePaths = BasePaths.of(catalog.endpoints.keySet(), options.basePath());
    this.provenance = new Provenance(catalog, basePaths);
    this.auth = AuthPlan.of(catalog.auth.flows(), options.auth(), service -> basePaths.getOrDefault(service, ""));
  }

  /** Service → the base path its tests are relative to. */
  Map<String, String> basePaths() {
    return basePaths;
  }

  /** The endpoint as its tests see it: the template relative to the service's base path. */
  EndpointKey relative(EndpointKey key) {
    EndpointKey r = key.under(basePaths.getOrDefault(key.service(), ""));
    return r == null ? key : r;
  }

  List<ClassPlan> plan(Predicate<EndpointKey> include) {
    // Which resource names occur in more than one service: those classes carry the service name.
    Map<String, Set<String>> servicesByResource = new HashMap<>();
    for (EndpointKey k : catalog.endpoints.keySet()) {
      servicesByResource.computeIfAbsent(Names.className("", Names.resource(relative(k).template()), false),
          r -> new TreeSet<>()).add(k.service());
    }
    TreeMap<String, List<Endpoint>> byClass = new TreeMap<>();
    for (Endpoint ep : catalog.endpoints.values()) {
      if (!include.test(ep.key)) {
        continue;
      }
      String resource = Names.resource(relative(ep.key).template());
      boolean qualify = servicesByResource.get(Names.className("", resource, false)).size() > 1;
      byClass.computeIfAbsent(Names.className(ep.key.service(), resource, qualify), c -> new ArrayList<>()).add(ep);
    }
    List<ClassPlan> out = new ArrayList<>();
    // Method names are unique across classes too: verification reports failures by name.
    Set<String> methodNames = new HashSet<>();
    for (Map.Entry<String, List<Endpoint>> e : byClass.entrySet()) {
      List<TestCase> tests = new ArrayList<>();
      Endpoint first = e.getValue().get(0);
      for (Endpoint ep : e.getValue()) {
        for (Candidate c : pick(ep)) {
          try {
            tests.add(testCase(ep, c, methodNames, e.getKey()));
          } catch (RuntimeException ex) {
            // One exchange the planner cannot handle costs its own test, never the rest.
            catalog.skips.add("could not be planned: " + ex.getClass().getSimpleName(), c.exchangeId());
          }
        }
      }
      out.add(new ClassPlan(e.getKey(), first.key.service(), Names.resource(relative(first.key).template()),
          basePaths.getOrDefault(first.key.service(), ""), tests));
    }
    return out;
  }

  /** Up to max-per-endpoint candidates, round-robin over statuses so every status is covered. */
  private List<Candidate> pick(Endpoint ep) {
    List<List<Candidate>> perStatus = new ArrayList<>();
    int total = 0;
    for (StatusStats st : ep.statuses.values()) {
      List<Candidate> list = new ArrayList<>();
      for (Candidate c : st.candidates.values()) {
        if (auth.rejected(c)) {
          rejected.add(c.exchangeId());
        } else {
          list.add(c);
        }
      }
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
    String name = c.graphql() != null
        ? Names.testMethod(relative(ep.key), c.graphql().name(), 0).replace("_returns0", c.graphql().errors() ? "_returnsErrors" : "_returnsData")
        : ep.key.hasOperation() ? Names.testMethod(relative(ep.key), ep.operationId, c.status()).replace("_returns", "Batch_returns")
        : Names.testMethod(relative(ep.key), ep.operationId, c.status());
    String unique = name;
    for (int i = 2; !methodNames.add(unique); i++) {
      unique = name + "_" + i;
    }
    Context ctx = new Context();
    ctx.comments.add("Recorded exchange " + c.exchangeId() + " (" + c.method() + " " + c.rawPath()
        + (c.query().isEmpty() ? "" : "?...") + " -> " + c.status() + ").");
    boolean notFound = (c.status() == 404 || c.status() == 410) && !ep.paramNames.isEmpty();
    List<Expr> params = new ArrayList<>();
    for (int i = 0; i < ep.paramNames.size(); i++) {
      String value = c.paramValues().get(i);
      if (notFound) {
        params.add(ctx.fresh(ep.paramNames.get(i), freshKind(ep, i, value), value));
        if (i == ep.paramNames.size() - 1) {
          ctx.comments.add("Fresh ids of the recorded type: no recorded resource is assumed to exist.");
        }
      } else {
        params.add(paramValue(ep, i, value, c, ctx, 0, params));
      }
    }
    GraphqlCall gql = c.graphql() == null ? null : graphqlCall(ep, c, ctx, 0);
    BodyText body = gql != null ? null : body(ep, c, params, ctx, 0, !notFound);
    if (c.status() == 409 && c.method().equals("POST") && body != null && !ep.uniqueFields().isEmpty()) {
      // The conflict needs what it conflicts with: the same create, made first.
      Integer created = firstSuccess(ep);
      if (created != null) {
        ctx.setup.add(new Step(relative(ep.key), c, ep.paramNames, params, body, created,
            ctx.name("existing"), null));
        ctx.comments.add("Creates the record the request then conflicts with, with the same unique values.");
      }
    }
    Step main = new Step(relative(ep.key), c, ep.paramNames, params, body, c.status(), "response", null, gql);
    if (gql == null && ep.key.method().equals("GET") && ctx.setup.isEmpty() && listedItems(c)) {
      // A collection that had items when recorded: create one first, so that on an empty store
      // the items' schema is still exercised.
      Endpoint create = catalog.endpoints.get(new EndpointKey(ep.key.service(), "POST", ep.key.basePath(), ep.key.template()));
      Candidate pc = create == null || !create.paramNames.isEmpty() ? null : producerCandidate(create, null);
      if (pc != null) {
        ctx.setup.add(new Step(relative(create.key), pc, create.paramNames, List.of(), body(create, pc, List.of(), ctx, 1, true),
            pc.status(), ctx.name("created"), null));
        ctx.comments.add("Creates an item first like exchange " + pc.exchangeId() + " did, so the list is not empty.");
      }
    }

    String schema = null;
    if (st.jsonBodies > 0 && st.jsonBodies == st.count) {
      String file = Names.slug(className.replace("ContractTest", "")) + "/" + c.method().toLowerCase(Locale.ROOT)
          + "-" + Names.slug(Names.shortTemplate(relative(ep.key).template())
              + (ep.key.hasOperation() ? " " + ep.key.operationName() : "")) + "-" + c.status()
          + (c.graphql() != null && c.graphql().errors() ? "-errors" : "") + ".json";
      schema = schemaRoot + "/" + file;
      if (graphqlSchema != null && c.graphql() != null && !c.graphql().errors()) {
        typeGraphqlData(ep, c, st, schema);
      } else if (!schemas.containsKey(schema)) {
        schemas.put(schema, prettyJson(st.body.toDraft04(true)));
      }
    }
    String mime = st.mimes.size() == 1 && st.emptyBodies == 0 ? st.mimes.first() : null;
    List<Check> checks = new ArrayList<>(checks(ep, c, st));
    if (c.graphql() != null && st.jsonBodies == st.count && st.jsonBodies > 0) {
      // A GraphQL answer's errors are expected exactly when the recording had them.
      checks.add(new Plan.Present("errors", c.graphql().errors()));
    }
    String uniqueNote = "Unique fields get fresh values, so every run creates new records.";
    if (ctx.comments.remove(uniqueNote)) {
      ctx.comments.add(uniqueNote); // after the set-up's comments, in the order the steps run
    }
    String display = ep.key.method() + " " + relative(ep.key).template()
        + (ep.key.hasOperation() ? " " + ep.key.operation() + (gql == null ? " (batch)" : "") : "")
        + " \u2192 " + c.status() + (gql == null ? "" : c.graphql().errors() ? " with errors" : " with data");
    return new TestCase(unique, display, relative(ep.key), c.status(), ctx.comments, ctx.fresh, ctx.setup, main, schema,
        mime, st.emptyBodies == st.count, checks, List.of());
  }

  /**
   * The schema of a GraphQL answer with data, its {@code data} typed by {@code --graphql-schema} and
   * the operation's selection set; the rest ({@code extensions}) as recorded. The recording's schema
   * instead, with the reason noted for the report, when the document does not validate against the
   * schema, a recorded answer does not match what the schema says, or documents of the same name
   * select differently.
   */
  private void typeGraphqlData(Endpoint ep, Candidate c, StatusStats st, String resource) {
    GraphqlSchema gs = java.util.Objects.requireNonNull(graphqlSchema);
    String operation = ep.key.operation();
    String recorded = prettyJson(st.body.toDraft04(true));
    if (schemas.containsKey(resource) && !typedBy.containsKey(resource)) {
      return; // already the recording's
    }
    String document = c.graphql().document();
    if (document.equals(typedBy.get(resource))) {
      return;
    }
    String why;
    String typed = null;
    try {
      graphql.language.Document doc = graphql.parser.Parser.parse(document);
      String name = c.graphql().name().startsWith("anonymous_") ? null : c.graphql().name();
      List<String> invalid = gs.validate(doc, name);
      if (!invalid.isEmpty()) {
        why = "the recorded document is not valid against " + gs.name() + ": " + invalid.get(0);
      } else {
        ObjectNode root = st.body.toDraft04(true);
        ObjectNode props = root.has("properties") ? (ObjectNode) root.get("properties") : root.putObject("properties");
        props.set("data", GraphqlDataSchema.of(gs.schema(), doc, name));
        root.put("type", "object");
        ArrayNode required = root.has("required") ? (ArrayNode) root.get("required") : root.putArray("required");
        boolean hasData = false;
        for (JsonNode r : required) {
          hasData |= r.asText().equals("data");
        }
        if (!hasData) {
          required.add("data");
        }
        why = mismatch(root, st);
        typed = why == null ? prettyJson(root) : null;
      }
    } catch (RuntimeException e) {
      why = "its data could not be typed: " + e.getMessage();
    }
    if (typed != null && (!schemas.containsKey(resource) || schemas.get(resource).equals(typed))) {
      schemas.put(resource, typed);
      typedBy.put(resource, document);
      graphqlTyped.add(operation);
      return;
    }
    if (typed != null) {
      why = "documents recorded under this name select differently";
    }
    schemas.put(resource, recorded);
    typedBy.remove(resource);
    graphqlTyped.remove(operation);
    graphqlFallbacks.put(operation, why);
  }

  /** Why a recorded answer with data does not match {@code schema}, or null when each does. */
  private static @Nullable String mismatch(ObjectNode schema, StatusStats st) {
    com.github.fge.jsonschema.main.JsonSchema validator;
    try {
      validator = com.github.fge.jsonschema.main.JsonSchemaFactory.byDefault().getJsonSchema(schema);
    } catch (com.github.fge.jsonschema.core.exceptions.ProcessingException e) {
      return "the typed schema is not usable: " + e.getMessage();
    }
    for (Candidate rc : st.candidates.values()) {
      if (rc.graphql() == null || rc.graphql().errors() || rc.responseBody() == null) {
        continue;
      }
      JsonNode answer = Catalog.parse(rc.responseBody());
      if (answer == null) {
        continue;
      }
      try {
        com.github.fge.jsonschema.core.report.ProcessingReport report = validator.validate(answer);
        if (!report.isSuccess()) {
          for (com.github.fge.jsonschema.core.report.ProcessingMessage m : report) {
            String at = m.asJson().path("instance").path("pointer").asText("");
            return "recorded exchange " + rc.exchangeId() + " does not match the schema"
                + (at.isEmpty() ? "" : " at " + at) + ": " + m.getMessage();
          }
          return "recorded exchange " + rc.exchangeId() + " does not match the schema";
        }
      } catch (com.github.fge.jsonschema.core.exceptions.ProcessingException e) {
        return "recorded exchange " + rc.exchangeId() + " could not be checked: " + e.getMessage();
      }
    }
    return null;
  }

  /** The report's GraphQL section, or "" without {@code --graphql-schema}. */
  String graphqlReport() {
    if (graphqlSchema == null || graphqlTyped.isEmpty() && graphqlFallbacks.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("## GraphQL schema\n\n");
    sb.append("`data` is typed by `").append(SpecReport.mdCode(graphqlSchema.name()))
        .append("` and each operation's selection set for ").append(graphqlTyped.size())
        .append(" operation(s); answers with `errors` keep the recording's schema.\n");
    if (!graphqlFallbacks.isEmpty()) {
      sb.append("\nChecked against the recording instead (").append(graphqlFallbacks.size()).append("):\n\n");
      graphqlFallbacks.forEach((op, why) -> sb.append("- `").append(SpecReport.mdCode(op)).append("`: ")
          .append(why.replace('\n', ' ')).append('\n'));
    }
    return sb.toString();
  }

  private static @Nullable Integer firstSuccess(Endpoint ep) {
    for (StatusStats s : ep.statuses.values()) {
      if (s.status >= 200 && s.status < 300) {
        return s.status;
      }
    }
    return null;
  }

  /** The literal checks of a response: stable values, echoes of the request, URLs without their host. */
  private List<Check> checks(Endpoint ep, Candidate c, StatusStats st) {
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
          Set<String> unique = ep.uniqueFields();
          for (String p : echo) {
            boolean fromRequest = reqFlat.containsKey(p) || !p.contains(".") && queryNames.contains(p);
            // A value the test sends fresh, or takes from another response, is not the recorded one.
            boolean replaced = unique.contains(p) || reqJson != null && isReference(reqJson, p);
            if (fromRequest && !replaced && flat.containsKey(p) && !Values.isNoise(p, flat.get(p).toString())) {
              literals.put(p, flat.get(p).toString());
            }
          }
        }
      }
    }
    List<Check> out = new ArrayList<>();
    for (Map.Entry<String, String> e : literals.entrySet()) {
      String json = e.getValue();
      JsonNode parsed = json.startsWith("\"") ? Catalog.parse(json) : null;
      String text = parsed != null && parsed.isTextual() ? parsed.textValue() : null;
      String base = basePaths.getOrDefault(ep.key.service(), "");
      if (text != null && !base.isEmpty() && text.startsWith(base + "/")) {
        // A path under the base path (a problem's instance): the base path is the deployment's.
        String suffix = text.substring(base.length());
        if (!containsAny(suffix, c.paramValues())) {
          out.add(new Plan.EndsWith(e.getKey(), suffix));
        }
        continue;
      }
      if (text != null && holdsDeployment(text, c.authority())) {
        // A self link, a problem type URI: the recorded host is no part of the contract.
        String suffix = pathOf(text);
        if (suffix != null && !suffix.isEmpty() && !containsAny(suffix, c.paramValues())) {
          out.add(new Plan.EndsWith(e.getKey(), suffix));
        }
        continue;
      }
      out.add(new Plan.Equals(e.getKey(), json));
    }
    return out;
  }

  private static boolean isReference(JsonNode reqJson, String dottedPath) {
    for (Ref r : Provenance.references(reqJson)) {
      StringBuilder sb = new StringBuilder();
      for (Object o : r.path()) {
        if (o instanceof Integer) {
          sb.setLength(0);
          break;
        }
        sb.append(sb.length() == 0 ? "" : ".").append(o);
      }
      if (sb.toString().equals(dottedPath)) {
        return true;
      }
    }
    return false;
  }

  static boolean holdsDeployment(String text, String authority) {
    String t = text.toLowerCase(Locale.ROOT);
    return t.startsWith("http://") || t.startsWith("https://")
        || (!authority.isEmpty() && t.contains(authority.toLowerCase(Locale.ROOT)));
  }

  /** The path (and query) of a URL; the text itself when it is not one. */
  static @Nullable String pathOf(String text) {
    try {
      URI u = URI.create(text.trim());
      if (u.getRawAuthority() == null) {
        return text;
      }
      String p = u.getRawPath() == null ? "" : u.getRawPath();
      return u.getRawQuery() == null ? p : p + "?" + u.getRawQuery();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean containsAny(String s, List<String> values) {
    for (String v : values) {
      if (!v.isEmpty() && s.contains(v)) {
        return true;
      }
    }
    return false;
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

  /** Per test: the set-up steps, the variables they define and the fresh values. */
  private static final class Context {
    final List<Step> setup = new ArrayList<>();
    final List<Fresh> fresh = new ArrayList<>();
    final List<String> comments = new ArrayList<>();
    /** resource + recorded value → the variable holding the test's own equivalent. */
    final Map<String, String> varByValue = new LinkedHashMap<>();
    final Set<String> names = new HashSet<>(Set.of("response"));

    String name(String base) {
      String id = Names.identifier(base, "id");
      String unique = id;
      for (int i = 2; !names.add(unique); i++) {
        unique = id + i;
      }
      return unique;
    }

    Fresh fresh(String base, FreshKind kind, String sample) {
      Fresh f = new Fresh(name(base), kind, sample);
      fresh.add(f);
      return f;
    }
  }

  /**
   * The value of path parameter {@code i}: created or read by the test, else the recorded one.
   *
   * @param before the values of the parameters before it: a nested resource is created under them
   */
  private Expr paramValue(Endpoint ep, int i, String value, Candidate user, Context ctx, int depth, List<Expr> before) {
    String resource = Provenance.resourceOf(ep, i);
    String existing = ctx.varByValue.get(resource + "\u0000" + value);
    if (existing != null) {
      return new Plan.Var(existing);
    }
    Producer producer = depth < MAX_DEPTH ? provenance.forParam(ep, i) : null;
    Expr e = produce(producer, resource, value, ep.paramNames.get(i), ctx, depth, ep.key.template(), before);
    if (e == null) {
      ctx.comments.add("Uses the recorded " + ep.paramNames.get(i) + " " + value
          + ": the traffic shows no request that creates or lists it.");
      return new Plan.Literal(value);
    }
    if (depth == 0 && producer.kind() == Provenance.Kind.CREATE) {
      history(ep, user, value, ctx, producer);
    }
    return e;
  }

  /**
   * Adds the steps that make {@code producer} yield a value into a new variable; null when it cannot.
   * A producer whose collection sits under the consumer's leading parameters ({@code POST
   * /owners/{ownerId}/pets} for {@code /owners/{ownerId}/pets/{petId}}) gets those very values, so
   * the child is made under the parent the test uses.
   */
  private @Nullable Expr produce(@Nullable Producer producer, String resource, String recorded, String varBase,
      Context ctx, int depth, @Nullable String consumerTemplate, List<Expr> consumerParams) {
    if (producer == null) {
      return null;
    }
    Endpoint pe = producer.endpoint();
    Candidate pc = producerCandidate(pe, recorded);
    if (pc == null) {
      return null;
    }
    List<Expr> pparams = new ArrayList<>();
    boolean nested = consumerTemplate != null && consumerParams.size() >= pe.paramNames.size()
        && consumerTemplate.startsWith(pe.key.template() + "/");
    for (int j = 0; j < pe.paramNames.size(); j++) {
      pparams.add(nested ? consumerParams.get(j) : paramValue(pe, j, pc.paramValues().get(j), pc, ctx, depth + 1, pparams));
    }
    String var = ctx.name(varBase);
    ctx.varByValue.put(resource + "\u0000" + recorded, var);
    GraphqlCall pgql = pc.graphql() == null ? null : graphqlCall(pe, pc, ctx, depth + 1);
    BodyText pbody = pgql == null && producer.kind() == Provenance.Kind.CREATE ? body(pe, pc, pparams, ctx, depth + 1, true) : null;
    ctx.setup.add(new Step(relative(pe.key), pc, pe.paramNames, pparams, pbody, pc.status(),
        ctx.name(Names.identifier(resource, "created")), new Extract(var, producer.extractPath(), producer.string()), pgql));
    ctx.comments.add((producer.kind() == Provenance.Kind.CREATE ? "Creates its own " : "Reads an existing ")
        + var + " like exchange " + pc.exchangeId() + " did.");
    return new Plan.Var(var);
  }

  /** Replays the state changes the recorded resource went through before the recorded request. */
  private void history(Endpoint ep, Candidate user, String value, Context ctx, Producer producer) {
    TreeSet<FlowEvent> events = catalog.events.get(value);
    if (events == null) {
      return;
    }
    FlowEvent self = new FlowEvent(user.startedAt(), user.exchangeId(), ep.key, user);
    int n = 0;
    for (FlowEvent ev : events) {
      if (ev.compareTo(self) >= 0 || n >= MAX_HISTORY) {
        break;
      }
      Endpoint evEp = catalog.endpoints.get(ev.endpoint());
      if (evEp == null || evEp.key.method().equals("POST") && evEp.key.equals(producer.endpoint().key)) {
        continue;
      }
      // Only the resource's own history: the event's path must carry the value where this one does.
      List<Expr> eparams = new ArrayList<>();
      boolean mine = false;
      for (int j = 0; j < evEp.paramNames.size(); j++) {
        String v = ev.request().paramValues().get(j);
        String known = ctx.varByValue.get(Provenance.resourceOf(evEp, j) + "\u0000" + v);
        if (known != null) {
          eparams.add(new Plan.Var(known));
          mine |= v.equals(value);
        } else {
          eparams.add(new Plan.Literal(v));
        }
      }
      if (!mine || eparams.stream().anyMatch(x -> x instanceof Plan.Literal)) {
        continue;
      }
      ctx.setup.add(new Step(relative(evEp.key), ev.request(), evEp.paramNames, eparams,
          body(evEp, ev.request(), eparams, ctx, 1, true), ev.request().status(), ctx.name("changed"), null));
      ctx.comments.add("Then brings it into the recorded state like exchange " + ev.exchangeId() + ".");
      n++;
    }
  }

  /**
   * The request body to send: the recorded one, with the references to other resources taken from
   * the test's own set-up, an {@code id} that repeats a path parameter taken from it, and the fields
   * that must be unique made fresh at run time.
   */
  private @Nullable BodyText body(Endpoint ep, Candidate c, List<Expr> params, Context ctx, int depth, boolean resolve) {
    if (c.requestBody() == null) {
      return null;
    }
    if (auth.isLogin(ep.key) && c.status() >= 200 && c.status() < 300 && !c.binaryRequest()) {
      // A successful login sends the run's credentials; a refused one keeps the recorded (redacted) ones.
      BodyText login = AuthPlan.templated(c.requestContentType(), c.requestBody());
      if (login.templated()) {
        ctx.comments.add("Logs in with the credentials of this run (tapline.auth.*), never the recorded ones.");
      }
      return login;
    }
    if (c.binaryRequest() || !Catalog.isJsonMime(Catalog.mime(c.requestContentType())) || c.requestBody().contains("${")) {
      return new BodyText(c.requestBody(), new TreeMap<>());
    }
    JsonNode root = Catalog.parse(c.requestBody());
    if (root == null || !root.isObject()) {
      return new BodyText(c.requestBody(), new TreeMap<>());
    }
    ObjectNode tree = (ObjectNode) root.deepCopy();
    TreeMap<String, Expr> values = new TreeMap<>();
    if (resolve) {
      for (Ref ref : Provenance.references(root)) {
        String recorded = ref.value().asText();
        if (aboutIt(c, ref)) {
          ctx.comments.add("Sends the recorded " + pathText(ref.path()) + " " + recorded
              + ": the recorded " + c.status() + " was about it.");
          continue;
        }
        String existing = ctx.varByValue.get(ref.resource() + "\u0000" + recorded);
        Expr e = existing != null ? new Plan.Var(existing) : null;
        if (e == null && depth < MAX_DEPTH) {
          Producer p = provenance.forReference(ep.key, ref);
          e = produce(p, ref.resource(), recorded, ref.resource() + "Id", ctx, depth, null, List.of());
        }
        if (e != null) {
          put(tree, ref.path(), values, e, ref.value().isTextual());
        } else {
          ctx.comments.add("Sends the recorded " + pathText(ref.path()) + " " + recorded
              + ": the traffic shows no request that creates or lists a " + ref.resource() + ".");
        }
      }
      // An id in the body that repeats a path parameter is that parameter.
      JsonNode id = root.get("id");
      if (id != null && id.isValueNode()) {
        for (int i = 0; i < params.size(); i++) {
          if (c.paramValues().get(i).equals(id.asText()) && !(params.get(i) instanceof Plan.Literal)) {
            put(tree, List.of("id"), values, params.get(i), id.isTextual());
          }
        }
      }
    }
    // Only where the recorded answer did not depend on the exact value (a 400 may be about it).
    boolean freshOk = c.status() < 300 || c.status() == 409;
    if (c.method().equals("POST") && freshOk) {
      for (String field : ep.uniqueFields()) {
        JsonNode v = root.get(field);
        if (v != null && v.isTextual() && !v.textValue().isBlank() && !values.containsKey(field)) {
          Fresh f = ctx.fresh(field, FreshKind.UNIQUE, v.textValue());
          put(tree, List.of(field), values, f, true);
          String note = "Unique fields get fresh values, so every run creates new records.";
          if (!ctx.comments.contains(note)) {
            ctx.comments.add(note);
          }
        }
      }
    }
    if (values.isEmpty()) {
      return new BodyText(c.requestBody(), values);
    }
    String text;
    try {
      text = ExchangeCodec.mapper().writeValueAsString(tree);
    } catch (Exception e) {
      return new BodyText(c.requestBody(), new TreeMap<>());
    }
    for (String name : values.keySet()) {
      text = text.replace("\"" + marker(name, true) + "\"", "\"${" + name + "}\"")
          .replace("\"" + marker(name, false) + "\"", "${" + name + "}");
    }
    return new BodyText(text, values);
  }

  /**
   * A GraphQL call: the recorded document (pretty-printed), its operation name, and its variables
   * with the ids of other resources taken from the test's own set-up (a mutation that creates the
   * resource the variable names: {@code id} of {@code user(id:)} is a user's, {@code authorId} an
   * author's), never by value.
   */
  private GraphqlCall graphqlCall(Endpoint ep, Candidate c, Context ctx, int depth) {
    Candidate.Graphql g = c.graphql();
    String document;
    try {
      document = graphql.language.AstPrinter.printAst(graphql.parser.Parser.parse(g.document())).strip();
    } catch (RuntimeException e) {
      document = g.document();
    }
    BodyText variables = null;
    if (g.variables() != null) {
      JsonNode vars = Catalog.parse(g.variables());
      TreeMap<String, Expr> values = new TreeMap<>();
      if (vars != null && vars.isObject() && depth < MAX_DEPTH) {
        ObjectNode tree = (ObjectNode) vars.deepCopy();
        List<Ref> refs = new ArrayList<>(Provenance.references(vars));
        JsonNode id = vars.get("id");
        if (id != null && id.isValueNode() && !g.fields().isEmpty()) {
          refs.add(new Ref(List.of("id"), Provenance.singular(Provenance.word(g.fields().get(0))), id));
        }
        for (Ref ref : refs) {
          String recorded = ref.value().asText();
          String existing = ctx.varByValue.get(ref.resource() + "\u0000" + recorded);
          Expr e = existing != null ? new Plan.Var(existing) : null;
          if (e == null) {
            e = produce(provenance.forGraphql(ep.key, ref.resource()), ref.resource(), recorded, ref.resource() + "Id",
                ctx, depth, null, List.of());
          }
          if (e != null) {
            put(tree, ref.path(), values, e, ref.value().isTextual());
          }
        }
        if (!values.isEmpty()) {
          String text = tree.toString();
          for (String name : values.keySet()) {
            text = text.replace("\"" + marker(name, true) + "\"", "\"${" + name + "}\"")
                .replace("\"" + marker(name, false) + "\"", "${" + name + "}");
          }
          variables = new BodyText(text, values);
        }
      }
      if (variables == null) {
        variables = new BodyText(g.variables(), values);
      }
    }
    return new GraphqlCall(document, g.name().startsWith("anonymous_") ? "" : g.name(), variables);
  }

  /** Whether an error answer names this reference: then the recorded value is the point of the test. */
  private static boolean aboutIt(Candidate c, Ref ref) {
    if (c.status() < 400 || c.status() == 404 || c.responseBody() == null) {
      return false;
    }
    String answer = c.responseBody();
    String path = pathText(ref.path());
    return answer.contains(path) || answer.contains(ref.value().asText()) && answer.contains(String.valueOf(ref.path().get(0)));
  }

  private static void put(ObjectNode tree, List<Object> path, TreeMap<String, Expr> values, Expr e, boolean string) {
    String name = switch (e) {
      case Plan.Var v -> v.name();
      case Plan.Fresh f -> f.name();
      case Plan.Cred c -> c.name();
      case Plan.Literal l -> throw new IllegalArgumentException("literal " + l);
    };
    JsonNode parent = tree;
    for (int i = 0; i < path.size() - 1; i++) {
      Object k = path.get(i);
      parent = k instanceof Integer idx ? parent.get(idx) : parent.get((String) k);
      if (parent == null) {
        return;
      }
    }
    Object last = path.get(path.size() - 1);
    TextNode marker = TextNode.valueOf(marker(name, string));
    if (last instanceof Integer idx && parent instanceof ArrayNode arr) {
      arr.set(idx, marker);
    } else if (last instanceof String k && parent instanceof ObjectNode obj) {
      obj.set(k, marker);
    } else {
      return;
    }
    values.put(name, e);
  }

  /** A stand-in put into the JSON tree and swapped for the placeholder once the tree is written. */
  private static String marker(String name, boolean string) {
    return "__tapline_" + (string ? "s" : "n") + "_" + name + "__";
  }

  private static String pathText(List<Object> path) {
    StringBuilder sb = new StringBuilder();
    for (Object o : path) {
      if (o instanceof Integer i) {
        sb.append('[').append(i).append(']');
      } else {
        sb.append(sb.length() == 0 ? "" : ".").append(o);
      }
    }
    return sb.toString();
  }

  /** The type of a fresh id: the spec's, else what the recorded values were (small integers → int32). */
  private FreshKind freshKind(Endpoint ep, int i, String sample) {
    if (spec != null) {
      OpenApiSpec.Op op = spec.operation(ep.key.method(), ep.key.template());
      Schema<?> s = op == null ? null : op.pathParams().get(ep.paramNames.get(i));
      if (s != null) {
        String type = s.getType() != null ? s.getType() : s.getTypes() == null || s.getTypes().isEmpty() ? null
            : s.getTypes().iterator().next();
        if ("integer".equals(type)) {
          return "int64".equals(s.getFormat()) ? FreshKind.INT64 : FreshKind.INT32;
        }
        if ("string".equals(type) && "uuid".equals(s.getFormat())) {
          return FreshKind.UUID;
        }
      }
    }
    boolean allInt32 = true;
    boolean allInt = true;
    boolean allUuid = true;
    List<String> samples = new ArrayList<>(ep.paramValues.get(i).values());
    samples.add(sample);
    for (String v : samples) {
      if (!v.matches("\\d{1,19}")) {
        allInt = false;
        allInt32 = false;
      } else if (v.length() > 9 && Long.parseLong(v.length() > 18 ? v.substring(0, 18) : v) > Integer.MAX_VALUE) {
        allInt32 = false;
      }
      if (!JsonShape.UUID.matcher(v).matches()) {
        allUuid = false;
      }
    }
    if (allInt32) {
      return FreshKind.INT32;
    }
    if (allInt) {
      return FreshKind.INT64;
    }
    if (allUuid) {
      return FreshKind.UUID;
    }
    return FreshKind.STRING;
  }

  /** The create request for a value: the one that produced it when kept, else the endpoint's first success. */
  private @Nullable Candidate producerCandidate(Endpoint producer, @Nullable String value) {
    Produced p = value == null ? null : catalog.producers.get(Catalog.producerKey(producer.key, value));
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

  static String prettyJson(JsonNode node) {
    try {
      return JSON.writer(PRETTY).writeValueAsString(node) + "\n";
    } catch (Exception e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
