package dev.tapline.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpServer;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real GraphQL server for tests, on graphql-java: {@code POST /graphql} with one request or a
 * batch, answered 200 with {@code data} and {@code errors} as graphql-java executes them (a document
 * the schema rejects is 200 with errors and no data, as many servers answer).
 */
final class GraphqlTestServer implements AutoCloseable {
  static final String V1 = """
      type User { id: ID!  name: String!  email: String!  age: Int }
      type Query { user(id: ID!): User  users: [User!]! }
      type Mutation { createUser(name: String!, email: String!): User! }
      """;
  /** {@code email} removed, {@code age} now a string, {@code phone} added. */
  static final String V2 = """
      type User { id: ID!  name: String!  age: String  phone: String }
      type Query { user(id: ID!): User  users: [User!]! }
      type Mutation { createUser(name: String!, phone: String): User! }
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;

  private GraphqlTestServer(HttpServer server) {
    this.server = server;
  }

  static GraphqlTestServer start(String sdl) throws IOException {
    List<Map<String, Object>> users = new ArrayList<>();
    users.add(user("1", "ann"));
    users.add(user("2", "bob"));
    RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
        .type("Query", t -> t.dataFetcher("user", env -> users.stream()
                .filter(u -> u.get("id").equals(env.getArgument("id"))).findFirst().orElse(null))
            .dataFetcher("users", env -> users))
        .type("Mutation", t -> t.dataFetcher("createUser", env -> {
          Map<String, Object> u = user(String.valueOf(users.size() + 1), env.getArgument("name"));
          users.add(u);
          return u;
        }))
        .build();
    GraphQLSchema schema = new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring);
    GraphQL graphql = GraphQL.newGraphQL(schema).build();
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/graphql", ex -> {
      JsonNode body = JSON.readTree(ex.getRequestBody());
      Object answer;
      if (body.isArray()) {
        ArrayNode out = JSON.createArrayNode();
        body.forEach(one -> out.add(JSON.valueToTree(execute(graphql, one))));
        answer = out;
      } else {
        answer = execute(graphql, body);
      }
      byte[] bytes = JSON.writeValueAsBytes(answer);
      ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
      ex.sendResponseHeaders(200, bytes.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(bytes);
      }
    });
    http.start();
    return new GraphqlTestServer(http);
  }

  private static Map<String, Object> user(String id, String name) {
    Map<String, Object> u = new LinkedHashMap<>();
    u.put("id", id);
    u.put("name", name);
    u.put("email", name + "@example.com");
    u.put("age", 40 + Integer.parseInt(id));
    return u;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> execute(GraphQL graphql, JsonNode request) {
    ExecutionInput.Builder in = ExecutionInput.newExecutionInput().query(request.path("query").asText());
    if (request.hasNonNull("operationName")) {
      in.operationName(request.get("operationName").asText());
    }
    if (request.hasNonNull("variables")) {
      in.variables(JSON.convertValue(request.get("variables"), Map.class));
    }
    ExecutionResult r = graphql.execute(in.build());
    return r.toSpecification();
  }

  URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
