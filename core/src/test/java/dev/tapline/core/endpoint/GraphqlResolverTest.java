package dev.tapline.core.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tapline.core.Body;
import dev.tapline.core.Headers;
import dev.tapline.core.Request;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphqlResolverTest {
  private final Endpoints chain = Endpoints.defaults();

  static Request post(String path, String json) {
    return new Request("POST", "http", "h", path, null, Headers.of("Content-Type", "application/json"),
        Body.text("application/json", json));
  }

  private static String body(String query, String operationName) {
    return "{\"query\":\"" + query.replace("\"", "\\\"") + "\""
        + (operationName == null ? "" : ",\"operationName\":\"" + operationName + "\"") + ",\"variables\":{\"id\":\"1\"}}";
  }

  @Test
  void namesANamedOperationByItsTypeAndName() {
    Resolution r = chain.resolve("users", post("/graphql", body("query GetUser($id: ID!) { user(id: $id) { id name } }", "GetUser")));
    assertThat(r.key()).isEqualTo(new EndpointKey("users", "POST", "", "/graphql", "query GetUser"));
    assertThat(r.key().path()).isEqualTo("/graphql");
    assertThat(r.key().display()).isEqualTo("POST /graphql query GetUser");
    assertThat(r.operationType()).isEqualTo("query");
    assertThat(r.operationId()).isEqualTo("GetUser");
    assertThat(r.fields()).containsExactly("user");
    assertThat(r.source()).isEqualTo("graphql");
  }

  @Test
  void picksTheOperationNamedByOperationNameAmongSeveral() {
    String doc = "query A { users { id } } mutation B($n: String!) { createUser(name: $n) { id } deleteAll }";
    Resolution r = chain.resolve("users", post("/api/graphql", body(doc, "B")));
    assertThat(r.key().operation()).isEqualTo("mutation B");
    assertThat(r.fields()).containsExactly("createUser", "deleteAll");
  }

  @Test
  void leavesADocumentOfSeveralOperationsWithoutOperationNameToTheHeuristic() {
    Resolution r = chain.resolve("users", post("/graphql", body("query A { a } query B { b }", null)));
    assertThat(r.key()).isEqualTo(EndpointKey.of("users", "POST", "/graphql"));
    assertThat(r.source()).isEqualTo("heuristic");
  }

  @Test
  void namesAnAnonymousOperationByAStableHashOfTheCompactDocument() {
    Resolution a = chain.resolve("s", post("/graphql", body("{ users { id name } }", null)));
    Resolution b = chain.resolve("s", post("/graphql", body("query {\\n  users {\\n    id\\n    name\\n  }\\n}", null)));
    Resolution c = chain.resolve("s", post("/graphql", body("{ users { id } }", null)));
    assertThat(a.key().operation()).matches("query anonymous_[0-9a-f]{8}");
    assertThat(b.key()).isEqualTo(a.key());
    assertThat(c.key()).isNotEqualTo(a.key());
    assertThat(a.fields()).containsExactly("users");
  }

  @Test
  void resolvesEveryOperationOfABatchInOrder() {
    String batch = "[" + body("query GetUser($id: ID!) { user(id: $id) { id } }", "GetUser") + ","
        + body("mutation CreateUser { createUser(name: \"x\") { id } }", null) + ",42]";
    List<Resolution> rs = chain.resolveAll("users", post("/graphql", batch));
    assertThat(rs).extracting(r -> r.key().operation()).containsExactly("query GetUser", "mutation CreateUser");
    assertThat(rs).extracting(Resolution::operationType).containsExactly("query", "mutation");
  }

  @Test
  void readsTheQueryParametersOfAGet() {
    String q = "query=" + URLEncoder.encode("query Me { me { id } viewer: me { name } }", StandardCharsets.UTF_8)
        + "&operationName=Me&variables=" + URLEncoder.encode("{\"a\":1}", StandardCharsets.UTF_8);
    Request get = new Request("GET", "http", "h", "/graphql", q, Headers.empty(), Body.empty());
    List<GraphqlOperation> ops = GraphqlResolver.defaults().operations(get);
    assertThat(ops).singleElement().satisfies(op -> {
      assertThat(op.operation()).isEqualTo("query Me");
      assertThat(op.fields()).containsExactly("me");
      assertThat(op.variables().get("a").intValue()).isEqualTo(1);
    });
    assertThat(chain.resolve("s", get).key().display()).isEqualTo("GET /graphql query Me");
  }

  @Test
  void readsAnApplicationGraphqlBody() {
    Request r = new Request("POST", "http", "h", "/graphql", null, Headers.of("Content-Type", "application/graphql"),
        Body.text("application/graphql", "mutation Ping { ping }"));
    assertThat(chain.resolve("s", r).key().operation()).isEqualTo("mutation Ping");
  }

  @Test
  void collectsRootFieldsThroughFragmentsWithoutTypename() {
    String doc = "query Home { __typename ...Top ... on Query { feed { id } } me { id } } "
        + "fragment Top on Query { me { name } banner }";
    Resolution r = chain.resolve("s", post("/graphql", body(doc, null)));
    assertThat(r.fields()).containsExactly("me", "banner", "feed");
  }

  @Test
  void rejectsNonGraphqlRequestsCheaply() {
    GraphqlResolver g = GraphqlResolver.defaults();
    // A GraphQL-looking body on another path, other methods, a GET without a query, a body that is not JSON:
    // none is read as GraphQL, and the chain goes on to the heuristic.
    assertThat(g.resolve("s", post("/orders", body("{ users { id } }", null)))).isEmpty();
    assertThat(g.resolve("s", new Request("PUT", "http", "h", "/graphql", null, Headers.empty(),
        Body.text("application/json", body("{ a }", null))))).isEmpty();
    assertThat(g.resolve("s", new Request("GET", "http", "h", "/graphql", "page=2", Headers.empty(), Body.empty()))).isEmpty();
    assertThat(g.resolve("s", post("/graphql", "query=1"))).isEmpty();
    assertThat(g.resolve("s", post("/graphql", "{\"query\": \"{ unclosed \"}"))).isEmpty();
    assertThat(chain.resolve("s", post("/graphql", "{\"query\": \"{ unclosed \"}")).key())
        .isEqualTo(EndpointKey.of("s", "POST", "/graphql"));
    // Not GraphQL costs a method and a path check: a million of them take well under a second.
    Request rest = post("/orders/42/items", "{\"query\":\"{ a }\"}");
    long start = System.nanoTime();
    for (int i = 0; i < 1_000_000; i++) {
      if (!g.operations(rest).isEmpty()) {
        throw new AssertionError();
      }
    }
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
  }

  @Test
  void findsGraphqlOnConfiguredPathGlobs() {
    GraphqlResolver g = GraphqlResolver.forPaths(List.of("/gql", "/tenants/*/query"));
    assertThat(g.appliesTo("/gql")).isTrue();
    assertThat(g.appliesTo("/tenants/7/query")).isTrue();
    assertThat(g.appliesTo("/tenants/7/x/query")).isFalse();
    assertThat(g.appliesTo("/v2/graphql")).isTrue();
    Resolution r = Endpoints.of(g).resolve("s", post("/tenants/7/query", body("{ a }", null)));
    assertThat(r.key().path()).isEqualTo("/tenants/{tenantId}/query");
    assertThat(r.paramValues()).containsExactly("7");
    assertThatThrownBy(() -> GraphqlResolver.forPaths(List.of("gql"))).hasMessageContaining("must start with /");
  }

  @Test
  void restKeysHaveNoOperationAndOperationsAreValidated() {
    EndpointKey rest = new EndpointKey("s", "GET", "", "/orders/{orderId}");
    assertThat(rest.operation()).isEmpty();
    assertThat(rest.hasOperation()).isFalse();
    assertThat(rest.operationName()).isNull();
    assertThat(rest.display()).isEqualTo("GET /orders/{orderId}");
    EndpointKey op = EndpointKey.of("s", "POST", "/graphql").withOperation("mutation", "CreateUser");
    assertThat(op.operationType()).isEqualTo("mutation");
    assertThat(op.operationName()).isEqualTo("CreateUser");
    assertThat(op.under("")).isEqualTo(op);
    assertThat(op.sameEndpoint(EndpointKey.of("s", "POST", "/graphql"))).isFalse();
    assertThat(op.compareTo(EndpointKey.of("s", "POST", "/graphql").withOperation("query", "A"))).isNotZero();
    assertThatThrownBy(() -> new EndpointKey("s", "POST", "", "/graphql", "fetch X"))
        .hasMessageContaining("<query|mutation|subscription> <Name>");
    assertThatThrownBy(() -> new EndpointKey("s", "POST", "", "/graphql", "query a-b")).isInstanceOf(IllegalArgumentException.class);
  }
}
