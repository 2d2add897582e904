package dev.tapline.testgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import graphql.ExecutionInput;
import graphql.GraphQL;
import graphql.introspection.IntrospectionQuery;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --graphql-schema}: recorded GraphQL exchanges and an SDL give tests whose {@code data} schema
 * is typed by the SDL (a nullable field recorded only as null is a string or null), and those tests
 * pass against a real graphql-java server whose answers the recording never showed.
 */
class GraphqlSchemaGenerationTest {
  static final String SDL = """
      type User { id: ID! name: String! nickname: String age: Int }
      type Query { user(id: ID!): User }
      """;
  static final String GET_USER = "query GetUser($id: ID!) { user(id: $id) { id name nickname } }";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  HttpServer server;
  /** What the server answers for user 1's nickname. */
  volatile String nickname;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  static String request(String query, String name, String variables) throws Exception {
    Map<String, Object> body = new HashMap<>();
    body.put("query", query);
    body.put("operationName", name);
    body.put("variables", JSON.readTree(variables));
    return JSON.writeValueAsString(body);
  }

  static List<dev.tapline.core.Exchange> recording() throws Exception {
    Traffic t = new Traffic("gql");
    t.add("POST", "/graphql", request(GET_USER, "GetUser", "{\"id\":\"1\"}"), 200,
        "{\"data\":{\"user\":{\"id\":\"1\",\"name\":\"Ann\",\"nickname\":null}}}");
    // Not valid against the schema (email is not there): checked against the recording.
    t.add("POST", "/graphql", request("query OldMail { user(id: \"1\") { email } }", "OldMail", "{}"), 200,
        "{\"data\":{\"user\":{\"email\":\"ann@example.com\"}}}");
    // A recorded answer the schema contradicts (age is an Int): checked against the recording.
    t.add("POST", "/graphql", request("query Age { user(id: \"1\") { age } }", "Age", "{}"), 200,
        "{\"data\":{\"user\":{\"age\":\"old\"}}}");
    // With errors: data stays loose, as recorded.
    t.add("POST", "/graphql", request("query Missing { user(id: \"9\") { name } }", "Missing", "{}"), 200,
        "{\"errors\":[{\"message\":\"no user 9\",\"path\":[\"user\"]}],\"data\":{\"user\":null}}");
    return t.exchanges();
  }

  GenerationResult generate(Path schema) throws Exception {
    GeneratorOptions options = GeneratorOptions.builder("com.example.gql").graphqlSchema(schema).build();
    return TestGenerator.create(options).generate(recording());
  }

  @Test
  void theSchemaTypesWhatTheRecordingOnlySawAsNullAndTheTestsPassOnNewValues() throws Exception {
    Path sdl = Files.writeString(dir.resolve("schema.graphqls"), SDL);
    GenerationResult typed = generate(sdl);
    SortedMap<String, String> files = typed.files();
    JsonNode getUser = JSON.readTree(files.get("resources/com/example/gql/schemas/graphql/post-graphql-get-user-200.json"));
    JsonNode user = getUser.path("properties").path("data").path("properties").path("user");
    assertThat(user.path("properties").path("nickname").toString()).isEqualTo("{\"type\":[\"string\",\"null\"]}");
    assertThat(user.path("required").toString()).isEqualTo("[\"id\",\"name\"]");
    assertThat(getUser.path("required").toString()).contains("\"data\"");
    assertThat(getUser.path("$schema").asText()).isEqualTo("http://json-schema.org/draft-04/schema#");

    // Without the schema, the recording's: nickname was only ever null.
    GenerationResult recorded = TestGenerator.create(GeneratorOptions.builder("com.example.gql").build()).generate(recording());
    JsonNode untyped = JSON.readTree(recorded.files().get("resources/com/example/gql/schemas/graphql/post-graphql-get-user-200.json"));
    assertThat(untyped.path("properties").path("data").path("properties").path("user").path("properties")
        .path("nickname").toString()).isEqualTo("{\"type\":\"null\"}");
    assertThat(recorded.files()).doesNotContainKey(TestGenerator.REPORT_FILE);

    // The fallbacks, and why, in the report; data with errors stays as recorded.
    String report = files.get(TestGenerator.REPORT_FILE);
    assertThat(report).contains("## GraphQL schema", "`schema.graphqls`", "for 1 operation(s)")
        .contains("- `query OldMail`: the recorded document is not valid against schema.graphqls:", "'email'")
        .contains("- `query Age`: recorded exchange ex-0003 does not match the schema at /data/user/age")
        .doesNotContain("Missing");
    assertThat(files.get("resources/com/example/gql/schemas/graphql/post-graphql-age-200.json"))
        .isEqualTo(recorded.files().get("resources/com/example/gql/schemas/graphql/post-graphql-age-200.json"));
    assertThat(files.get("resources/com/example/gql/schemas/graphql/post-graphql-missing-200-errors.json"))
        .isEqualTo(recorded.files().get("resources/com/example/gql/schemas/graphql/post-graphql-missing-200-errors.json"));

    // Against a real GraphQL server that now answers a nickname: the typed test passes, the recording's fails.
    start();
    nickname = "Al";
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    try (GeneratedTests suite = GeneratedTests.compile(files, dir.resolve("typed"))) {
      SortedMap<String, String> results = suite.run(base);
      assertThat(results).containsEntry("getUser_returnsData", "");
    }
    try (GeneratedTests suite = GeneratedTests.compile(recorded.files(), dir.resolve("recorded"))) {
      assertThat(suite.run(base).get("getUser_returnsData")).contains("nickname");
    }
    nickname = null;
    try (GeneratedTests suite = GeneratedTests.compile(files, dir.resolve("typed-again"))) {
      assertThat(suite.run(base)).containsEntry("getUser_returnsData", "");
    }
  }

  @Test
  void anIntrospectionResultTypesTheSameWay() throws Exception {
    GraphQL gql = GraphQL.newGraphQL(dev.tapline.core.graphql.GraphqlSchema.parse(SDL, "s", "s").schema()).build();
    Map<String, Object> introspection = gql.execute(IntrospectionQuery.INTROSPECTION_QUERY)
        .toSpecification();
    Path json = Files.writeString(dir.resolve("introspection.json"), JSON.writeValueAsString(introspection));
    Path sdl = Files.writeString(dir.resolve("schema.graphql"), SDL);
    String name = "resources/com/example/gql/schemas/graphql/post-graphql-get-user-200.json";
    assertThat(generate(json).files().get(name)).isEqualTo(generate(sdl).files().get(name));
  }

  @Test
  void anUnusableSchemaIsAnErrorNamingTheFile() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.graphql"), "type Query { user: Nope }");
    assertThatThrownBy(() -> generate(bad)).isInstanceOf(TestGenerator.InvalidGraphqlSchemaException.class)
        .hasMessageStartingWith(bad + ": not a valid GraphQL schema");
    assertThatThrownBy(() -> generate(dir.resolve("missing.graphql")))
        .isInstanceOf(TestGenerator.InvalidGraphqlSchemaException.class).hasMessageContaining("missing.graphql");
  }

  /** A graphql-java server of {@link #SDL} on a free loopback port: user 1 is Ann, with {@link #nickname}. */
  void start() throws Exception {
    RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring().type("Query", q -> q.dataFetcher("user", env -> {
      if (!"1".equals(env.getArgument("id"))) {
        return null;
      }
      Map<String, Object> u = new HashMap<>();
      u.put("id", "1");
      u.put("name", "Ann");
      u.put("nickname", nickname);
      u.put("age", 41);
      return u;
    })).build();
    GraphQL graphql = GraphQL.newGraphQL(new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(SDL), wiring))
        .build();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/graphql", exchange -> {
      try (exchange) {
        JsonNode req = JSON.readTree(exchange.getRequestBody());
        ExecutionInput.Builder in = ExecutionInput.newExecutionInput(req.path("query").asText())
            .operationName(req.path("operationName").isTextual() ? req.path("operationName").asText() : null);
        if (req.path("variables").isObject()) {
          in.variables(JSON.convertValue(req.path("variables"), Map.class));
        }
        byte[] out = JSON.writeValueAsBytes(graphql.execute(in.build()).toSpecification());
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, out.length);
        exchange.getResponseBody().write(out);
      }
    });
    server.start();
  }
}
