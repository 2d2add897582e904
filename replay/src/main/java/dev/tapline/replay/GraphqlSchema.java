package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import graphql.GraphQLException;
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
 * A GraphQL schema (SDL) as {@link OperationCheck} uses it: graphql-java's schema without resolvers,
 * the validation of one operation against it, what an operation selects ({@code User.email}, {@code
 * Mutation.createUser(email:)}) and which of that is {@code @deprecated}.
 */
final class GraphqlSchema {
  private final GraphQLSchema schema;
  private final String name;

  private GraphqlSchema(GraphQLSchema schema, String name) {
    this.schema = schema;
    this.name = name;
  }

  /**
   * Reads an SDL file.
   *
   * @throws IllegalArgumentException {@code <file>: cannot read the schema}, or {@code <file>: not a
   *     valid GraphQL schema: <graphql-java's message>}
   */
  static GraphqlSchema load(Path file) {
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

  static GraphqlSchema parse(String sdl, String name, String where) {
    try {
      return new GraphqlSchema(UnExecutableSchemaGenerator.makeUnExecutableSchema(new SchemaParser().parse(sdl)), name);
    } catch (GraphQLException e) {
      String m = String.valueOf(e.getMessage()).replace('\n', ' ').trim();
      throw new IllegalArgumentException(where + ": not a valid GraphQL schema: " + m, e);
    }
  }

  String name() {
    return name;
  }

  /** graphql-java's validation errors of one operation (and the fragments it uses), as text. */
  List<String> validate(Document document, @Nullable String operationName) {
    Document only = operationOnly(document, operationName);
    List<String> out = new ArrayList<>();
    for (ValidationError e : new Validator().validateDocument(schema, only, Locale.ENGLISH)) {
      out.add(e.getMessage());
    }
    return out;
  }

  /** What one operation selects in this schema, and which of it is deprecated. */
  record Selected(Set<String> coordinates, List<String> deprecated) {}

  /**
   * The schema coordinates the operation selects, {@code User.email} and {@code
   * Mutation.createUser(email:)}: a field this schema does not have is still named after the type
   * it was asked of (nothing below it is known).
   */
  Selected selected(Document document, @Nullable String operationName) {
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
  Map<String, String> coordinates() {
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
  static Document operationOnly(Document document, @Nullable String operationName) {
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
