package dev.tapline.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Headers;
import dev.tapline.core.Ids;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import dev.tapline.core.endpoint.GraphqlResolver;
import dev.tapline.replay.OperationCheckReport.Change;
import dev.tapline.replay.OperationCheckReport.Operation;
import dev.tapline.replay.OperationCheckReport.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperationCheckTest {
  static final String V1 = """
      type User { id: ID!  name: String!  email: String!  nickname: String  login: String @deprecated(reason: "use name") }
      type Query { user(id: ID!): User  users(first: Int, limit: Int @deprecated): [User!]! }
      type Mutation { createUser(name: String!, email: String!): User! }
      """;
  /** email removed (GetUser and CreateUser select it), the email argument renamed, nickname (unused) removed. */
  static final String V2 = """
      type User { id: ID!  name: String!  phone: String  login: String @deprecated(reason: "use name") }
      type Query { user(id: ID!): User  users(first: Int, limit: Int @deprecated): [User!]! }
      type Mutation { createUser(name: String!, phone: String): User! }
      """;

  @TempDir Path dir;

  static List<Exchange> recorded() {
    List<Exchange> out = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      out.add(post("{\"operationName\":\"GetUser\",\"query\":\"query GetUser($id: ID!) { user(id: $id) { id name email } }\",\"variables\":{\"id\":\"1\"}}"));
      out.add(post("{\"operationName\":\"ListUserNames\",\"query\":\"query ListUserNames { users { id name } }\"}"));
      out.add(post("{\"query\":\"mutation CreateUser($n: String!, $e: String!) { createUser(name: $n, email: $e) { id } }\"}"));
    }
    out.add(post("{\"query\":\"query Logins { users(limit: 2) { login } }\"}"));
    out.add(post("[{\"query\":\"{ users { ...F } } fragment F on User { id }\"}]"));
    return out;
  }

  static Exchange post(String body) {
    return new Exchange(Ids.newId(), Ids.nowMicros(), 100, "gql", "test", null, Exchange.BASELINE, null, null,
        new Request("POST", "http", "h", "/graphql", null, Headers.of("Content-Type", "application/json"),
            Body.text("application/json", body)),
        new Response(200, Headers.of("Content-Type", "application/json"), Body.text("application/json", "{\"data\":{}}")),
        null, List.of());
  }

  private static OperationCheckReport check(String schema, String old) {
    return OperationCheck.ofSdl(schema, old, GraphqlResolver.defaults()).check(ExchangeSource.of(recorded()), e -> true);
  }

  private static Operation op(OperationCheckReport r, String name) {
    return r.operations().stream().filter(o -> o.operation().endsWith(" " + name)).findFirst().orElseThrow();
  }

  @Test
  void flagsExactlyTheRecordedOperationsTheNewSchemaBreaks() {
    OperationCheckReport r = check(V2, null);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(op(r, "GetUser").status()).isEqualTo(Status.BROKEN);
    assertThat(op(r, "GetUser").problems()).singleElement().asString()
        .contains("FieldUndefined").contains("'email' in type 'User' is undefined");
    assertThat(op(r, "GetUser").seen()).isEqualTo(3);
    assertThat(op(r, "CreateUser").status()).isEqualTo(Status.BROKEN);
    assertThat(op(r, "CreateUser").problems()).anySatisfy(p -> assertThat(p).contains("email"));
    assertThat(op(r, "ListUserNames").status()).isEqualTo(Status.FINE);
    assertThat(op(r, "Logins").status()).isEqualTo(Status.DEPRECATED_USE);
    assertThat(op(r, "Logins").deprecated()).containsExactly("Query.users(limit:) is deprecated (No longer supported)",
        "User.login is deprecated (use name)");
    assertThat(r.operations()).filteredOn(o -> o.operation().startsWith("query anonymous_")).singleElement()
        .satisfies(o -> assertThat(o.status()).isEqualTo(Status.FINE));
    // broken first
    assertThat(r.operations().get(0).status()).isEqualTo(Status.BROKEN);
  }

  @Test
  void anUnchangedSchemaPasses() {
    OperationCheckReport r = check(V1, V1);
    assertThat(r.exitCode()).isZero();
    assertThat(r.count(Status.BROKEN)).isZero();
    assertThat(r.changes().removed()).isEmpty();
  }

  @Test
  void schemaChangesNameTheOperationsThatUseThemAndAreSafeWhenNoneDoes() {
    OperationCheckReport r = check(V2, V1);
    assertThat(r.changes().againstOldSchema()).isTrue();
    assertThat(r.changes().removed()).extracting(Change::coordinate, Change::usedBy).containsExactly(
        org.assertj.core.groups.Tuple.tuple("Mutation.createUser(email:)", List.of("mutation CreateUser")),
        org.assertj.core.groups.Tuple.tuple("User.email", List.of("query GetUser")),
        org.assertj.core.groups.Tuple.tuple("User.nickname", List.of()));
    assertThat(r.changes().removed().get(2).safe()).isTrue();
    assertThat(r.changes().added()).extracting(Change::coordinate).containsExactly("Mutation.createUser(phone:)", "User.phone");

    // Without the old schema: what the recorded operations select that the new one lacks.
    OperationCheckReport unknown = check(V2, null);
    assertThat(unknown.changes().againstOldSchema()).isFalse();
    assertThat(unknown.changes().removed()).extracting(Change::coordinate)
        .containsExactly("Mutation.createUser(email:)", "User.email");
    assertThat(unknown.changes().unused()).contains("User.phone").doesNotContain("User.name");
  }

  @Test
  void writesJunitMarkdownAndJsonReports() throws Exception {
    OperationCheckReport r = check(V2, V1);
    List<Path> files = r.writeAll(dir);
    assertThat(files).extracting(p -> p.getFileName().toString())
        .containsExactly("graphql-check.xml", "graphql-check.md", "graphql-check.json");
    String xml = Files.readString(dir.resolve("graphql-check.xml"));
    assertThat(xml).contains("tests=\"5\" failures=\"2\"").contains("name=\"query GetUser\"").contains("<failure message=\"Validation error");
    String md = Files.readString(dir.resolve("graphql-check.md"));
    assertThat(md).contains("2 recorded operations broken").contains("removed `User.nickname` (`String`): safe, no recorded operation selects it")
        .contains("| broken | `query GetUser` | gql | 3 |");
    String json = Files.readString(dir.resolve("graphql-check.json"));
    assertThat(json).contains("\"verdict\" : \"broken\"").contains("\"status\" : \"deprecated-use\"");
  }

  @Test
  void anInvalidSchemaIsAnErrorNamingIt() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.graphql"), "type Query { user: Missing }");
    assertThatThrownBy(() -> OperationCheck.of(bad, null, GraphqlResolver.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad.graphql: not a valid GraphQL schema");
    assertThatThrownBy(() -> OperationCheck.ofSdl(V1, null, GraphqlResolver.defaults())
        .check(ExchangeSource.of(List.of(dev.tapline.core.testing.TestExchanges.getOrder(1, 200))), e -> true))
        .isInstanceOf(ReplayInputException.class).hasMessageContaining("no GraphQL operations among the 1 exchanges");
  }
}
