package dev.tapline.testgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapline.core.graphql.GraphqlSchema;
import graphql.parser.Parser;
import org.junit.jupiter.api.Test;

class GraphqlDataSchemaTest {
  static final String SDL = """
      scalar DateTime
      enum Role { ADMIN USER }
      interface Node { id: ID! }
      type User implements Node { id: ID! name: String! nickname: String age: Int score: Float active: Boolean!
        role: Role tags: [String!]! friends: [User] joined: DateTime }
      type Bot implements Node { id: ID! model: String! }
      union Actor = User | Bot
      type Query { user(id: ID!): User me: User! nodes: [Node!]! actors: [Actor] }
      """;
  static final GraphqlSchema SCHEMA = GraphqlSchema.parse(SDL, "s.graphql", "s.graphql");
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode data(String document, String operationName) {
    return GraphqlDataSchema.of(SCHEMA.schema(), Parser.parse(document), operationName);
  }

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  @Test
  void typesScalarsNullabilityListsAndEnums() throws Exception {
    JsonNode s = data("query GetUser { user(id: 1) { id name nickname age score active role tags friends { id } joined } }",
        "GetUser");
    assertThat(s.path("type").asText()).isEqualTo("object");
    assertThat(s.path("required")).isEmpty(); // user is nullable
    JsonNode user = s.path("properties").path("user");
    assertThat(user.path("type")).isEqualTo(json("['object','null']"));
    JsonNode p = user.path("properties");
    assertThat(p.path("id")).isEqualTo(json("{'type':'string'}"));
    assertThat(p.path("name")).isEqualTo(json("{'type':'string'}"));
    assertThat(p.path("nickname")).isEqualTo(json("{'type':['string','null']}"));
    assertThat(p.path("age")).isEqualTo(json("{'type':['integer','null']}"));
    assertThat(p.path("score")).isEqualTo(json("{'type':['number','null']}"));
    assertThat(p.path("active")).isEqualTo(json("{'type':'boolean'}"));
    assertThat(p.path("role")).isEqualTo(json("{'type':['string','null'],'enum':['ADMIN','USER',null]}"));
    assertThat(p.path("tags")).isEqualTo(json("{'type':'array','items':{'type':'string'}}"));
    assertThat(p.path("friends")).isEqualTo(json(
        "{'type':['array','null'],'items':{'type':['object','null'],'properties':{'id':{'type':'string'}},'required':['id']}}"));
    assertThat(p.path("joined")).isEqualTo(json("{}")); // a custom scalar: anything
    assertThat(user.path("required")).isEqualTo(json("['id','name','active','tags']"));
  }

  @Test
  void aliasesAreTheKeysAndTypenameIsAString() throws Exception {
    JsonNode s = data("{ boss: me { who: name __typename } me { id } }", null);
    assertThat(s.path("required")).isEqualTo(json("['boss','me']"));
    JsonNode boss = s.path("properties").path("boss");
    assertThat(boss.path("type").asText()).isEqualTo("object");
    assertThat(boss.path("properties")).isEqualTo(json("{'who':{'type':'string'},'__typename':{'type':'string'}}"));
    assertThat(s.path("properties").path("me").path("properties").has("name")).isFalse();
  }

  @Test
  void fragmentsOnAbstractTypesRequireOnlyWhatEveryBranchHas() throws Exception {
    JsonNode s = data("""
        query Nodes { nodes { id __typename ...U ... on Bot { model } } actors { ... on User { name } ... on Bot { name: model } } }
        fragment U on User { name nickname }
        """, "Nodes");
    JsonNode node = s.path("properties").path("nodes").path("items");
    assertThat(node.path("type").asText()).isEqualTo("object");
    assertThat(node.path("required")).isEqualTo(json("['id','__typename']"));
    assertThat(node.path("properties").path("name")).isEqualTo(json("{'type':'string'}"));
    assertThat(node.path("properties").path("nickname")).isEqualTo(json("{'type':['string','null']}"));
    assertThat(node.path("properties").path("model")).isEqualTo(json("{'type':'string'}"));
    JsonNode actor = s.path("properties").path("actors").path("items");
    assertThat(actor.path("type")).isEqualTo(json("['object','null']"));
    assertThat(actor.path("required")).isEqualTo(json("['name']")); // both branches answer a non-null name
  }

  @Test
  void skipAndIncludeMakeAFieldOptionalAndTheOperationIsPickedByName() throws Exception {
    JsonNode s = data("""
        query A { me { id } }
        query B($full: Boolean!) { me { id name @include(if: $full) ... @skip(if: $full) { active } } }
        """, "B");
    JsonNode me = s.path("properties").path("me");
    assertThat(me.path("required")).isEqualTo(json("['id']"));
    assertThat(me.path("properties").has("active")).isTrue();
  }

  @Test
  void aFieldTheSchemaLacksIsAnError() {
    assertThatThrownBy(() -> data("{ me { email } }", null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("User.email");
  }
}
