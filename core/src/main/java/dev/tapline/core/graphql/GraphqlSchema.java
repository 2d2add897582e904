package dev.tapline.core.graphql;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.GraphQLException;
import graphql.introspection.IntrospectionResultToSchema;
import graphql.language.Argument;
import graphql.language.Definition;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.schema.GraphQLArgument;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLNamedType;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.UnExecutableSchemaGenerator;
import graphql.validation.ValidationError;
import graphql.validation.Validator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A GraphQL schema, read from SDL or from an introspection result, in one place for every stage
 * ({@code tapline graphql check}, replay, the test generator): graphql-java's schema without
 * resolvers, the validation of one operation against it, what an operation selects ({@code
 * User.email}, {@code Mutation.createUser(email:)}) and which of that is {@code @deprecated}.
 *
 * <pre>{@code
 * GraphqlSchema s = GraphqlSchema.load(Path.of("schema.graphql"));      // or introspection.json
 * s.validate(Parser.parse("{ user(id: 1) { email } }"), null);          // [] when valid
 * GraphQLSchema typed = s.schema();                                       // graphql-java's
 * }</pre>
 *
 * <p>An introspection result is the JSON a server answers to the introspection query, {@code
 * {"data":{"__schema":...}}} or its {@code {"__schema":...}}; graphql-java's {@link
 * IntrospectionResultToSchema} turns it into the same schema an SDL would give.
 */
public final class GraphqlSchema {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final GraphQLSchema schema;
  private final String name;

  private GraphqlSchema(GraphQLSchema schema, String name) {
    this.schema = schema;
    this.name = name;
  }

  /**
   * Reads an SDL file ({@code .graphql}, {@code .graphqls}, {@code .sdl}) or an introspection result
   * (JSON: the file's text starts with <code>{</code>, which SDL never does).
   *
   * @throws IllegalArgumentException {@code <file>: cannot read the schema}, or {@code <file>: not a
   *     valid GraphQL schema: <graphql-java's message>}
   */
  public static GraphqlSchema load(Path file) {
    requireNonNull(file, "file");
    String sdl;
    try {
      sdl = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read the schema (" + e.getMessage() + ")", e);
    }
    Path fileName = file.getFileName();
    return parse(sdl, fileName == null ? file.toString() : fileName.toString(), file.toString());
  }

  /**
   * Reads SDL or an introspection result from text.
   *
   * @param name what reports call the schema ({@code schema-v2.graphql})
   * @param where what error messages name ({@code the file})
   * @throws IllegalArgumentException {@code <where>: not a valid GraphQL schema: <why>}
   */
  public static GraphqlSchema parse(String sdl, String name, String where) {
    requireNonNull(sdl, "sdl");
    if (sdl.stripLeading().startsWith("{")) {
      return fromIntrospection(sdl, name, where);
    }
    try {
      return new GraphqlSchema(UnExecutableSchemaGenerator.makeUnExecutableSchema(new SchemaParser().parse(sdl)), name);
    } catch (GraphQLException e) {
      String m = String.valueOf(e.getMessage()).replace('\n', ' ').trim();
      throw new IllegalArgumentException(where + ": not a valid GraphQL schema: " + m, e);
    }
  }

  @SuppressWarnings("unchecked")
  private static GraphqlSchema fromIntrospection(String json, String name, String where) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + ": not a valid GraphQL schema: not JSON ("
          + e.getOriginalMessage() + ")", e);
    }
    JsonNode result = root.path("data").has("__schema") ? root.path("data") : root;
    if (!result.path("__schema").isObject()) {
      throw new IllegalArgumentException(where + ": not a valid GraphQL schema: JSON without __schema"
          + " (expected an introspection result, {\"data\":{\"__schema\":...}})");
    }
    try {
      Map<String, Object> map = JSON.convertValue(result, Map.class);
      Document sdl = new IntrospectionResultToSchema().createSchemaDefinition(map);
      return new GraphqlSchema(UnExecutableSchemaGenerator.makeUnExecutableSchema(new SchemaParser().buildRegistry(sdl)),
          name);
    } catch (GraphQLException | ClassCastException | NullPointerException | IllegalArgumentException e) {
      String m = String.valueOf(e.getMessage()).replace('\n', ' ').trim();
      throw new IllegalArgumentException(where + ": not a valid GraphQL schema: introspection result: " + m, e);
    }
  }

  /** What reports call the schema: the file's name. */
  public String name() {
    return name;
  }

  /** graphql-java's schema (no resolvers). */
  public GraphQLSchema schema() {
    return schema;
  }

  /** graphql-java's validation errors of one operation (and the fragments it uses), as text. */
  public List<String> validate(Document document, @Nullable String operationName) {
    Document only = operationOnly(document, operationName);
    List<String> out = new ArrayList<>();
    for (ValidationError e : new Validator().validateDocument(schema, only, Locale.ENGLISH)) {
      out.add(e.getMessage());
    }
    return out;
  }

  /** What one operation selects in this schema, and which of it is deprecated. */
  public record Selected(Set<String> coordinates, List<String> deprecated) {}

  /**
   * The schema coordinates the operation selects, {@code User.email} and {@code
   * Mutation.createUser(email:)}: a field this schema does not have is still named after the type
   * it was asked of (nothing below it is known).
   */
  public Selected selected(Document document, @Nullable String operationName) {
    Map<String, FragmentDefinition> fragments = new HashMap<>();
    OperationDefinition op = null;
    for (Definition<?> d : document.getDefinitions()) {
      if (d instanceof FragmentDefinition fd) {
        fragments.put(fd.getName(), fd);
      } else if (d instanceof OperationDefinition od
          && (op == null || (operationName != null && operationName.equals(od.getName())))) {
        op = od;
      }
    }
    Set<String> coordinates = new LinkedHashSet<>();
    Set<String> deprecated = new LinkedHashSet<>();
    if (op != null) {
      GraphQLObjectType root = switch (op.getOperation()) {
        case MUTATION -> schema.getMutationType();
        case SUBSCRIPTION -> schema.getSubscriptionType();
        default -> schema.getQueryType();
      };
      walk(op.getSelectionSet(), root, fragments, new HashSet<>(), coordinates, deprecated);
    }
    return new Selected(coordinates, List.copyOf(deprecated));
  }

  private void walk(@Nullable SelectionSet set, @Nullable GraphQLType parent, Map<String, FragmentDefinition> fragments,
      Set<String> seenFragments, Set<String> coordinates, Set<String> deprecated) {
    if (set == null || !(parent instanceof GraphQLNamedType named)) {
      return;
    }
    for (Selection<?> s : set.getSelections()) {
      if (s instanceof Field f) {
        if (f.getName().startsWith("__")) {
          continue;
        }
        String coordinate = named.getName() + "." + f.getName();
        coordinates.add(coordinate);
        GraphQLFieldDefinition def = parent instanceof GraphQLFieldsContainer c ? c.getFieldDefinition(f.getName()) : null;
        if (def == null) {
          for (Argument a : f.getArguments()) {
            coordinates.add(coordinate + "(" + a.getName() + ":)");
          }
          continue;
        }
        if (def.isDeprecated()) {
          deprecated.add(coordinate + " is deprecated" + reason(def.getDeprecationReason()));
        }
        for (Argument a : f.getArguments()) {
          coordinates.add(coordinate + "(" + a.getName() + ":)");
          GraphQLArgument ga = def.getArgument(a.getName());
          if (ga != null && ga.isDeprecated()) {
            deprecated.add(coordinate + "(" + a.getName() + ":) is deprecated" + reason(ga.getDeprecationReason()));
          }
        }
        walk(f.getSelectionSet(), GraphQLTypeUtil.unwrapAll(def.getType()), fragments, seenFragments, coordinates, deprecated);
      } else if (s instanceof InlineFragment inline) {
        GraphQLType on = inline.getTypeCondition() == null ? parent : schema.getType(inline.getTypeCondition().getName());
        walk(inline.getSelectionSet(), on, fragments, seenFragments, coordinates, deprecated);
      } else if (s instanceof FragmentSpread spread && seenFragments.add(spread.getName())) {
        FragmentDefinition fd = fragments.get(spread.getName());
        if (fd != null) {
          GraphQLType on = fd.getTypeCondition() == null ? parent : schema.getType(fd.getTypeCondition().getName());
          walk(fd.getSelectionSet(), on, fragments, seenFragments, coordinates, deprecated);
        }
      }
    }
  }

  private static String reason(@Nullable String reason) {
    return reason == null || reason.isBlank() ? "" : " (" + reason + ")";
  }

  /**
   * Every field and argument of the schema's object and interface types with its type, {@code
   * User.email -> String!}, {@code Mutation.createUser(email:) -> String!}; introspection types
   * left out.
   */
  public Map<String, String> coordinates() {
    Map<String, String> out = new TreeMap<>();
    for (GraphQLNamedType t : schema.getAllTypesAsList()) {
      if (t.getName().startsWith("__") || !(t instanceof GraphQLFieldsContainer c)) {
        continue;
      }
      for (GraphQLFieldDefinition f : c.getFieldDefinitions()) {
        String field = t.getName() + "." + f.getName();
        out.put(field, GraphQLTypeUtil.simplePrint(f.getType()));
        for (GraphQLArgument a : f.getArguments()) {
          out.put(field + "(" + a.getName() + ":)", GraphQLTypeUtil.simplePrint(a.getType()));
        }
      }
    }
    return out;
  }

  /** The operation and the fragments it uses (transitively): what graphql-java validates. */
  public static Document operationOnly(Document document, @Nullable String operationName) {
    Map<String, FragmentDefinition> fragments = new HashMap<>();
    List<OperationDefinition> ops = new ArrayList<>();
    for (Definition<?> d : document.getDefinitions()) {
      if (d instanceof FragmentDefinition fd) {
        fragments.put(fd.getName(), fd);
      } else if (d instanceof OperationDefinition od) {
        ops.add(od);
      }
    }
    if (ops.size() <= 1) {
      return document;
    }
    OperationDefinition op = ops.get(0);
    for (OperationDefinition od : ops) {
      if (operationName != null && operationName.equals(od.getName())) {
        op = od;
      }
    }
    Set<String> used = new LinkedHashSet<>();
    spreads(op.getSelectionSet(), fragments, used);
    List<Definition> keep = new ArrayList<>();
    keep.add(op);
    for (String f : used) {
      if (fragments.containsKey(f)) {
        keep.add(fragments.get(f));
      }
    }
    return Document.newDocument().definitions(keep).build();
  }

  private static void spreads(@Nullable SelectionSet set, Map<String, FragmentDefinition> fragments, Set<String> used) {
    if (set == null) {
      return;
    }
    for (Selection<?> s : set.getSelections()) {
      if (s instanceof Field f) {
        spreads(f.getSelectionSet(), fragments, used);
      } else if (s instanceof InlineFragment inline) {
        spreads(inline.getSelectionSet(), fragments, used);
      } else if (s instanceof FragmentSpread spread && used.add(spread.getName())) {
        FragmentDefinition fd = fragments.get(spread.getName());
        if (fd != null) {
          spreads(fd.getSelectionSet(), fragments, used);
        }
      }
    }
  }
}
