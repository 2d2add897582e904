package dev.tapline.core.endpoint;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Request;
import graphql.language.Definition;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.parser.ParserEnvironment;
import graphql.parser.ParserOptions;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The link of the {@link Endpoints} chain that knows GraphQL requests: one endpoint per operation,
 * {@code POST /graphql query GetUser}, rather than one {@code POST /graphql} for everything.
 *
 * <p>A request is GraphQL when its path is {@code /graphql} or ends with {@code /graphql} (or matches
 * a configured glob) and it is a {@code POST} whose JSON body is {@code {"query", "operationName"?,
 * "variables"?}} or an array of those (a batch: one resolution per element), a {@code POST} of
 * {@code application/graphql}, or a {@code GET} with {@code ?query=} (and {@code operationName},
 * {@code variables}). The document is parsed with graphql-java and the operation picked by {@code
 * operationName}, or is the only one; an unnamed operation is named {@code anonymous_<hash>} of the
 * compact document, so the same anonymous query is one endpoint wherever it comes from. A request
 * whose document does not parse, or names no operation among several, is left to the next link.
 *
 * <pre>{@code
 * Endpoints endpoints = Endpoints.of(GraphqlResolver.forPaths(List.of("/gql/**")));
 * Resolution r = endpoints.resolve(exchange);
 * r.key().display();     // "POST /graphql query GetUser"
 * r.operationType();     // "query"
 * r.fields();            // ["user"]
 * }</pre>
 *
 * <p>It runs on the recorder's ingest threads for every exchange: a request that is not GraphQL costs
 * a method and a path check; documents are parsed once and remembered (a bounded cache), since
 * clients send the same few documents over and over.
 */
public final class GraphqlResolver implements EndpointResolver {
  private static final GraphqlResolver DEFAULT = new GraphqlResolver(List.of());
  private static final int CACHE_ENTRIES = 1024;
  private static final int CACHED_DOCUMENT_CHARS = 32 * 1024;
  private static final Parsed INVALID = new Parsed(Document.newDocument().build(), List.of(), "");

  private final List<String> globs;
  private final List<Pattern> patterns;
  private final Map<String, Parsed> cache = new ConcurrentHashMap<>();

  private GraphqlResolver(List<String> globs) {
    this.globs = List.copyOf(globs);
    List<Pattern> p = new ArrayList<>(globs.size());
    for (String g : globs) {
      p.add(PathGlob.compile(g));
    }
    this.patterns = List.copyOf(p);
  }

  /** GraphQL on {@code /graphql} and any path ending with {@code /graphql}. */
  public static GraphqlResolver defaults() {
    return DEFAULT;
  }

  /**
   * GraphQL on these paths as well as the default ones, globs as {@link PathGlob} reads them: {@code
   * /gql}, {@code /api/*}{@code /query}, {@code /tenants/**}.
   *
   * @throws IllegalArgumentException for a glob that does not start with {@code /}, or that {@link
   *     PathGlob#compile} refuses
   */
  public static GraphqlResolver forPaths(List<String> globs) {
    requireNonNull(globs, "globs");
    for (String g : globs) {
      if (g == null || !g.startsWith("/")) {
        throw new IllegalArgumentException("a GraphQL path glob must start with /: " + g);
      }
    }
    return globs.isEmpty() ? DEFAULT : new GraphqlResolver(globs);
  }

  /** The configured globs (none for the defaults). */
  public List<String> globs() {
    return globs;
  }

  /** True when GraphQL requests are looked for on {@code path}. */
  public boolean appliesTo(String path) {
    if (path.endsWith("/graphql") || path.endsWith("/graphql/")) {
      return true;
    }
    for (Pattern p : patterns) {
      if (p.matcher(path).matches()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public List<Resolution> resolve(String service, Request request) {
    List<GraphqlOperation> ops = operations(request);
    if (ops.isEmpty()) {
      return List.of();
    }
    Resolution path = PathTemplater.resolution(service, request.method(), request.path());
    List<Resolution> out = new ArrayList<>(ops.size());
    for (GraphqlOperation op : ops) {
      out.add(new Resolution(path.key().withOperation(op.type(), op.name()), path.paramValues(), op.name(), "graphql",
          op.fields()));
    }
    return out;
  }

  /** The operations {@code request} carries, in batch order; empty when it is not a GraphQL request. */
  public List<GraphqlOperation> operations(Request request) {
    String method = request.method();
    boolean post = method.equalsIgnoreCase("POST");
    if (!(post || method.equalsIgnoreCase("GET")) || !appliesTo(request.path())) {
      return List.of();
    }
    if (!post) {
      return fromQueryString(request.rawQuery());
    }
    byte[] body = request.body().bytes();
    if (body.length == 0 || request.body().truncated()) {
      return List.of();
    }
    String ct = request.headers().first("Content-Type");
    if (ct == null) {
      ct = request.body().contentType();
    }
    if (ct != null && ct.regionMatches(true, 0, "application/graphql", 0, 19) && !ct.toLowerCase(Locale.ROOT).contains("json")) {
      GraphqlOperation op = operation(new String(body, StandardCharsets.UTF_8), null, null);
      return op == null ? List.of() : List.of(op);
    }
    byte first = firstNonSpace(body);
    if (first != '{' && first != '[') {
      return List.of();
    }
    JsonNode json;
    try {
      json = ExchangeCodec.mapper().readTree(body);
    } catch (IOException e) {
      return List.of();
    }
    if (json.isObject()) {
      GraphqlOperation op = operation(json);
      return op == null ? List.of() : List.of(op);
    }
    List<GraphqlOperation> out = new ArrayList<>(json.size());
    for (JsonNode item : json) {
      GraphqlOperation op = item.isObject() ? operation(item) : null;
      if (op != null) {
        out.add(op);
      }
    }
    return out;
  }

  private @Nullable GraphqlOperation operation(JsonNode request) {
    JsonNode query = request.get("query");
    JsonNode name = request.get("operationName");
    JsonNode variables = request.get("variables");
    return operation(query != null && query.isTextual() ? query.textValue() : null,
        name != null && name.isTextual() ? name.textValue() : null,
        variables == null || variables.isNull() ? null : variables);
  }

  private List<GraphqlOperation> fromQueryString(@Nullable String rawQuery) {
    if (rawQuery == null || !rawQuery.contains("query=")) {
      return List.of();
    }
    String query = null;
    String name = null;
    String variables = null;
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String value;
      try {
        value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        continue;
      }
      switch (pair.substring(0, eq)) {
        case "query" -> query = value;
        case "operationName" -> name = value;
        case "variables" -> variables = value;
        default -> { }
      }
    }
    JsonNode vars = null;
    if (variables != null && !variables.isBlank()) {
      try {
        vars = ExchangeCodec.mapper().readTree(variables);
      } catch (IOException e) {
        vars = null;
      }
    }
    GraphqlOperation op = operation(query, name, vars);
    return op == null ? List.of() : List.of(op);
  }

  private @Nullable GraphqlOperation operation(@Nullable String query, @Nullable String operationName,
      @Nullable JsonNode variables) {
    if (query == null || query.isBlank()) {
      return null;
    }
    Parsed doc = parse(query);
    Op chosen = null;
    if (operationName != null && !operationName.isEmpty()) {
      for (Op op : doc.operations) {
        if (operationName.equals(op.name)) {
          chosen = op;
          break;
        }
      }
    } else if (doc.operations.size() == 1) {
      chosen = doc.operations.get(0);
    }
    if (chosen == null) {
      return null;
    }
    return new GraphqlOperation(chosen.type, chosen.name == null ? doc.anonymousName : chosen.name, chosen.fields,
        query, doc.document, variables);
  }

  private Parsed parse(String query) {
    Parsed p = cache.get(query);
    if (p != null) {
      return p;
    }
    p = parseUncached(query);
    if (query.length() <= CACHED_DOCUMENT_CHARS) {
      if (cache.size() >= CACHE_ENTRIES) {
        cache.clear();
      }
      cache.put(query, p);
    }
    return p;
  }

  private static Parsed parseUncached(String query) {
    Document document;
    try {
      document = Parser.parse(ParserEnvironment.newParserEnvironment()
          .document(query)
          .parserOptions(ParserOptions.getDefaultOperationParserOptions())
          .build());
    } catch (InvalidSyntaxException | IllegalStateException e) {
      return INVALID;
    }
    Map<String, FragmentDefinition> fragments = new HashMap<>();
    List<OperationDefinition> defs = new ArrayList<>(1);
    for (Definition<?> d : document.getDefinitions()) {
      if (d instanceof OperationDefinition od) {
        defs.add(od);
      } else if (d instanceof FragmentDefinition fd) {
        fragments.put(fd.getName(), fd);
      }
    }
    List<Op> ops = new ArrayList<>(defs.size());
    boolean anonymous = false;
    for (OperationDefinition od : defs) {
      Set<String> fields = new LinkedHashSet<>();
      rootFields(od.getSelectionSet(), fragments, new HashSet<>(), fields);
      String type = od.getOperation() == null ? "query" : od.getOperation().name().toLowerCase(Locale.ROOT);
      ops.add(new Op(type, od.getName(), List.copyOf(fields)));
      anonymous |= od.getName() == null;
    }
    return new Parsed(document, List.copyOf(ops), anonymous ? GraphqlOperation.anonymousName(document) : "");
  }

  private static void rootFields(@Nullable SelectionSet set, Map<String, FragmentDefinition> fragments,
      Set<String> seenFragments, Set<String> out) {
    if (set == null) {
      return;
    }
    for (Selection<?> s : set.getSelections()) {
      if (s instanceof Field f) {
        if (!f.getName().equals("__typename")) {
          out.add(f.getName());
        }
      } else if (s instanceof InlineFragment inline) {
        rootFields(inline.getSelectionSet(), fragments, seenFragments, out);
      } else if (s instanceof FragmentSpread spread && seenFragments.add(spread.getName())) {
        FragmentDefinition fd = fragments.get(spread.getName());
        if (fd != null) {
          rootFields(fd.getSelectionSet(), fragments, seenFragments, out);
        }
      }
    }
  }

  private static byte firstNonSpace(byte[] b) {
    for (byte c : b) {
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return c;
      }
    }
    return 0;
  }

  @Override
  public String toString() {
    return globs.isEmpty() ? "graphql" : "graphql" + globs;
  }

  /** One operation of a parsed document; {@code name} null for an anonymous one. */
  private record Op(String type, @Nullable String name, List<String> fields) {}

  /** A parsed document and what the resolver reads from it; no operations when it did not parse. */
  private record Parsed(Document document, List<Op> operations, String anonymousName) {}
}
