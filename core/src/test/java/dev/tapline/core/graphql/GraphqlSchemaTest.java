package dev.tapline.core.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.introspection.IntrospectionQuery;
import graphql.parser.Parser;
import graphql.schema.idl.SchemaPrinter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GraphqlSchemaTest {
  static final String SDL = """
      scalar DateTime
      enum Role { ADMIN USER }
      type User { id: ID! name: String! email: String role: Role tags: [String!]! at: DateTime }
      type Query { user(id: ID!): User users(first: Int): [User!]! }
      """;

  @Test
  void readsSdl(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("schema.graphqls"), SDL);
    GraphqlSchema s = GraphqlSchema.load(f);
    assertThat(s.name()).isEqualTo("schema.graphqls");
    assertThat(s.validate(Parser.parse("{ user(id: 1) { id email } }"), null)).isEmpty();
    assertThat(s.validate(Parser.parse("{ user(id: 1) { phone } }"), null)).singleElement().asString()
        .contains("phone");
  }

  @Test
  void readsAnIntrospectionResultWithOrWithoutData(@TempDir Path dir) throws Exception {
    GraphqlSchema sdl = GraphqlSchema.parse(SDL, "s", "s");
    ExecutionResult r = GraphQL.newGraphQL(sdl.schema()).build().execute(IntrospectionQuery.INTROSPECTION_QUERY);
    assertThat(r.getErrors()).isEmpty();
    ObjectMapper json = new ObjectMapper();
    Path withData = Files.writeString(dir.resolve("introspection.json"), json.writeValueAsString(r.toSpecification()));
    Path bare = Files.writeString(dir.resolve("bare.json"), json.writeValueAsString(r.getData()));
    for (Path f : new Path[] {withData, bare}) {
      GraphqlSchema s = GraphqlSchema.load(f);
      assertThat(s.coordinates()).isEqualTo(sdl.coordinates());
      assertThat(new SchemaPrinter().print(s.schema())).contains("enum Role").contains("scalar DateTime");
    }
    assertThat(((Map<?, ?>) r.getData()).keySet()).hasToString("[__schema]");
  }

  @Test
  void badInputNamesTheFile(@TempDir Path dir) throws Exception {
    Path notSdl = Files.writeString(dir.resolve("bad.graphql"), "type Query { x: Nope }");
    assertThatThrownBy(() -> GraphqlSchema.load(notSdl)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(notSdl + ": not a valid GraphQL schema");
    Path notIntrospection = Files.writeString(dir.resolve("bad.json"), "{\"data\":{}}");
    assertThatThrownBy(() -> GraphqlSchema.load(notIntrospection)).hasMessageContaining("__schema");
    Path notJson = Files.writeString(dir.resolve("broken.json"), "{\"data\":");
    assertThatThrownBy(() -> GraphqlSchema.load(notJson)).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> GraphqlSchema.load(dir.resolve("missing.graphql")))
        .hasMessageContaining("cannot read the schema");
  }
}
