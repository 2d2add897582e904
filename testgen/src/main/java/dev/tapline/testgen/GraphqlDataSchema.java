package dev.tapline.testgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import graphql.Scalars;
import graphql.language.Definition;
import graphql.language.Directive;
import graphql.language.DirectivesContainer;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.TypeName;
import graphql.schema.GraphQLEnumType;
import graphql.schema.GraphQLEnumValueDefinition;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLInterfaceType;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLNamedOutputType;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLOutputType;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLUnionType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The JSON Schema (draft-04, as the recorded schemas) of an operation's {@code data}, typed by a
 * GraphQL schema and the operation's selection set: what {@code --graphql-schema} gives the
 * generated tests instead of what the recording happened to show.
 *
 * <ul>
 *   <li>a non-null field is required and not null; a nullable one may be null;
 *   <li>lists are arrays of their item type; {@code Int} is an integer, {@code Float} a number,
 *       {@code String} and {@code ID} strings (the spec serializes {@code ID} as a string), {@code
 *       Boolean} a boolean, an enum a string of its values, a custom scalar anything;
 *   <li>keys are response keys (an alias, else the field's name); {@code __typename} is a string;
 *   <li>on an interface or union, each possible object type is a branch: a key is required only when
 *       every branch has it unconditionally ({@code @skip}/{@code @include} make a field optional).
 * </ul>
 *
 * <p>The document must be valid against the schema ({@link dev.tapline.core.graphql.GraphqlSchema#validate}):
 * a field the schema lacks is an {@link IllegalArgumentException}.
 */
final class GraphqlDataSchema {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final int MAX_DEPTH = 32;

  private final GraphQLSchema schema;
  private final Map<String, FragmentDefinition> fragments = new HashMap<>();

  private GraphqlDataSchema(GraphQLSchema schema, Document document) {
    this.schema = schema;
    for (Definition<?> d : document.getDefinitions()) {
      if (d instanceof FragmentDefinition fd) {
        fragments.put(fd.getName(), fd);
      }
    }
  }

  /**
   * The schema of {@code data} for the operation named {@code operationName} (or the document's
   * only or first operation): an object, never null.
   *
   * @throws IllegalArgumentException when the document selects what the schema does not have
   */
  static ObjectNode of(GraphQLSchema schema, Document document, @Nullable String operationName) {
    OperationDefinition op = null;
    for (Definition<?> d : document.getDefinitions()) {
      if (d instanceof OperationDefinition od
          && (op == null || operationName != null && !operationName.isEmpty() && operationName.equals(od.getName()))) {
        op = od;
      }
    }
    if (op == null) {
      throw new IllegalArgumentException("the document has no operation");
    }
    GraphQLObjectType root = switch (op.getOperation()) {
      case MUTATION -> schema.getMutationType();
      case SUBSCRIPTION -> schema.getSubscriptionType();
      default -> schema.getQueryType();
    };
    if (root == null) {
      throw new IllegalArgumentException("the schema has no " + op.getOperation().name().toLowerCase(java.util.Locale.ROOT)
          + " type");
    }
    return new GraphqlDataSchema(schema, document).object(root, List.of(op.getSelectionSet()), 0);
  }

  /** One selected field of an object type: its definition, and every selection set merged under its key. */
  private static final class Selected {
    final Field field;
    final List<SelectionSet> sets = new ArrayList<>();
    boolean always;

    Selected(Field field) {
      this.field = field;
    }
  }

  /** The schema of a value of a composite type with these selection sets. */
  private ObjectNode composite(GraphQLNamedOutputType type, List<SelectionSet> sets, int depth) {
    if (type instanceof GraphQLObjectType o) {
      return object(o, sets, depth);
    }
    List<GraphQLObjectType> possible = type instanceof GraphQLInterfaceType i ? schema.getImplementations(i)
        : type instanceof GraphQLUnionType u ? castObjects(u.getTypes()) : List.of();
    if (possible.isEmpty()) {
      return typed("object");
    }
    List<ObjectNode> branches = new ArrayList<>();
    for (GraphQLObjectType o : possible) {
      branches.add(object(o, sets, depth));
    }
    return looseUnion(branches);
  }

  private static List<GraphQLObjectType> castObjects(List<?> l) {
    List<GraphQLObjectType> out = new ArrayList<>();
    for (Object o : l) {
      if (o instanceof GraphQLObjectType t) {
        out.add(t);
      }
    }
    return out;
  }

  private ObjectNode object(GraphQLObjectType type, List<SelectionSet> sets, int depth) {
    LinkedHashMap<String, Selected> byKey = new LinkedHashMap<>();
    for (SelectionSet set : sets) {
      collect(type, set, true, byKey, new LinkedHashSet<>());
    }
    ObjectNode s = typed("object");
    ObjectNode props = s.putObject("properties");
    ArrayNode required = F.arrayNode();
    for (Map.Entry<String, Selected> e : byKey.entrySet()) {
      Selected sel = e.getValue();
      String name = sel.field.getName();
      ObjectNode value;
      boolean nonNull;
      if (name.equals("__typename")) {
        value = typed("string");
        nonNull = true;
      } else if (name.startsWith("__")) {
        value = F.objectNode(); // __schema, __type: introspection, not checked
        nonNull = false;
      } else {
        GraphQLFieldDefinition def = type.getFieldDefinition(name);
        if (def == null) {
          throw new IllegalArgumentException(type.getName() + "." + name + " is not in the schema");
        }
        nonNull = def.getType() instanceof GraphQLNonNull;
        value = value(def.getType(), sel.sets, depth + 1);
      }
      props.set(e.getKey(), value);
      if (sel.always && nonNull) {
        required.add(e.getKey());
      }
    }
    if (!required.isEmpty()) {
      s.set("required", required);
    }
    return s;
  }

  /** The fields {@code set} selects on an object of {@code type}, through the fragments that apply to it. */
  private void collect(GraphQLObjectType type, @Nullable SelectionSet set, boolean always, Map<String, Selected> byKey,
      Set<String> seenFragments) {
    if (set == null) {
      return;
    }
    for (Selection<?> s : set.getSelections()) {
      boolean here = always && !conditional(s);
      if (s instanceof Field f) {
        String key = f.getAlias() != null ? f.getAlias() : f.getName();
        Selected sel = byKey.computeIfAbsent(key, k -> new Selected(f));
        sel.always |= here;
        if (f.getSelectionSet() != null) {
          sel.sets.add(f.getSelectionSet());
        }
      } else if (s instanceof InlineFragment inline) {
        if (applies(inline.getTypeCondition(), type)) {
          collect(type, inline.getSelectionSet(), here, byKey, seenFragments);
        }
      } else if (s instanceof FragmentSpread spread) {
        FragmentDefinition fd = fragments.get(spread.getName());
        if (fd != null && applies(fd.getTypeCondition(), type) && seenFragments.add(spread.getName())) {
          collect(type, fd.getSelectionSet(), here, byKey, seenFragments);
          seenFragments.remove(spread.getName());
        }
      }
    }
  }

  private static boolean conditional(Selection<?> s) {
    if (s instanceof DirectivesContainer<?> dc) {
      for (Directive d : dc.getDirectives()) {
        if (d.getName().equals("skip") || d.getName().equals("include")) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether a fragment on {@code condition} applies to an object of {@code type}. */
  private boolean applies(@Nullable TypeName condition, GraphQLObjectType type) {
    if (condition == null || condition.getName().equals(type.getName())) {
      return true;
    }
    GraphQLType on = schema.getType(condition.getName());
    return (on instanceof GraphQLInterfaceType || on instanceof GraphQLUnionType)
        && schema.isPossibleType((graphql.schema.GraphQLNamedType) on, type);
  }

  /** The schema of a field's value: null allowed unless the type is non-null. */
  private ObjectNode value(GraphQLOutputType type, List<SelectionSet> sets, int depth) {
    if (type instanceof GraphQLNonNull nn) {
      return nonNull((GraphQLOutputType) nn.getWrappedType(), sets, depth);
    }
    return orNull(nonNull(type, sets, depth));
  }

  private ObjectNode nonNull(GraphQLOutputType type, List<SelectionSet> sets, int depth) {
    if (depth > MAX_DEPTH) {
      return F.objectNode();
    }
    if (type instanceof GraphQLList list) {
      ObjectNode s = typed("array");
      s.set("items", value((GraphQLOutputType) list.getWrappedType(), sets, depth + 1));
      return s;
    }
    if (type instanceof GraphQLEnumType e) {
      ObjectNode s = typed("string");
      ArrayNode values = s.putArray("enum");
      for (GraphQLEnumValueDefinition v : e.getValues()) {
        values.add(v.getName());
      }
      return s;
    }
    if (type instanceof GraphQLScalarType scalar) {
      return scalar(scalar.getName());
    }
    if (type instanceof GraphQLNamedOutputType named) {
      return composite(named, sets, depth);
    }
    return F.objectNode();
  }

  private static ObjectNode scalar(String name) {
    if (name.equals(Scalars.GraphQLInt.getName())) {
      return typed("integer");
    }
    if (name.equals(Scalars.GraphQLFloat.getName())) {
      return typed("number");
    }
    if (name.equals(Scalars.GraphQLString.getName()) || name.equals(Scalars.GraphQLID.getName())) {
      return typed("string");
    }
    if (name.equals(Scalars.GraphQLBoolean.getName())) {
      return typed("boolean");
    }
    return F.objectNode(); // a custom scalar serializes as anything
  }

  private static ObjectNode typed(String type) {
    ObjectNode s = F.objectNode();
    s.put("type", type);
    return s;
  }

  /** The same schema, null allowed too. */
  static ObjectNode orNull(ObjectNode s) {
    if (s.isEmpty()) {
      return s; // anything already
    }
    JsonNode type = s.get("type");
    if (type != null && type.isTextual()) {
      ObjectNode out = s.deepCopy();
      ArrayNode types = F.arrayNode().add(type.textValue()).add("null");
      out.set("type", types);
      if (out.get("enum") instanceof ArrayNode values) {
        values.addNull();
      }
      return out;
    }
    if (s.get("anyOf") instanceof ArrayNode any) {
      ObjectNode out = s.deepCopy();
      ((ArrayNode) out.get("anyOf")).add(typed("null"));
      return out;
    }
    ObjectNode out = F.objectNode();
    out.putArray("anyOf").add(s).add(typed("null"));
    return out;
  }

  /**
   * The branches of an interface or union as one object: every key any branch has; required when
   * required in every branch; a key typed differently by branches is any of their schemas.
   */
  private static ObjectNode looseUnion(List<ObjectNode> branches) {
    if (branches.size() == 1) {
      return branches.get(0);
    }
    LinkedHashMap<String, List<JsonNode>> props = new LinkedHashMap<>();
    Set<String> required = null;
    for (ObjectNode b : branches) {
      b.path("properties").properties().forEach(e -> {
        List<JsonNode> l = props.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
        if (!l.contains(e.getValue())) {
          l.add(e.getValue());
        }
      });
      Set<String> req = new LinkedHashSet<>();
      b.path("required").forEach(r -> req.add(r.textValue()));
      if (required == null) {
        required = req;
      } else {
        required.retainAll(req);
      }
    }
    ObjectNode s = typed("object");
    ObjectNode p = s.putObject("properties");
    props.forEach((k, l) -> {
      if (l.size() == 1) {
        p.set(k, l.get(0));
      } else {
        ArrayNode any = p.putObject(k).putArray("anyOf");
        l.forEach(any::add);
      }
    });
    if (required != null && !required.isEmpty()) {
      ArrayNode r = s.putArray("required");
      required.forEach(r::add);
    }
    return s;
  }
}
