package dev.tapline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.Exchange;
import dev.tapline.replay.DriftReport.Difference;
import dev.tapline.replay.DriftReport.EndpointReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays GraphQL traffic recorded from a real GraphQL server (graphql-java, schema V1) against V1
 * and against V2 (a field removed, a type changed): drift is reported per operation, at JSON paths
 * under {@code $.data}, and a new entry in {@code errors} is breaking although V2 answers 200.
 */
class GraphqlReplayTest {
  static final String GET_USER = "{\"operationName\":\"GetUser\",\"query\":\"query GetUser($id: ID!) { user(id: $id) { id name email } }\","
      + "\"variables\":{\"id\":\"1\"}}";
  static final String LIST_NAMES = "{\"operationName\":\"ListUserNames\",\"query\":\"query ListUserNames { users { id name } }\"}";
  static final String AGE = "{\"query\":\"query UserAge($id: ID!) { user(id: $id) { age } }\",\"variables\":{\"id\":\"2\"}}";
  static final String CREATE = "{\"query\":\"mutation CreateUser { createUser(name: \\\"cy\\\", email: \\\"cy@x\\\") { id } }\"}";

  @TempDir static Path dir;
  static GraphqlTestServer v1;
  static GraphqlTestServer otherV1;
  static GraphqlTestServer v2;
  static List<Exchange> recorded;

  @BeforeAll
  static void recordFromV1() throws Exception {
    v1 = GraphqlTestServer.start(GraphqlTestServer.V1);
    otherV1 = GraphqlTestServer.start(GraphqlTestServer.V1);
    v2 = GraphqlTestServer.start(GraphqlTestServer.V2);
    Recording rec = new Recording(v1.baseUri());
    for (String body : List.of(GET_USER, LIST_NAMES, AGE, CREATE, "[" + LIST_NAMES + "," + GET_USER + "]")) {
      rec.call("POST", "/graphql", body);
    }
    recorded = rec.exchanges();
  }

  @AfterAll
  static void stop() {
    v1.close();
    otherV1.close();
    v2.close();
  }

  private static DriftReport replay(GraphqlTestServer sandbox) {
    return Replayer.create(ReplayOptions.builder().baselineAndSandbox(otherV1.baseUri(), sandbox.baseUri()).build())
        .replay(recorded);
  }

  private static EndpointReport endpoint(DriftReport r, String operation) {
    return r.endpoints().stream().filter(ep -> ep.operation().equals(operation)).findFirst().orElseThrow();
  }

  @Test
  void theSameSchemaOnBothSidesIsQuietAndMutationsAreNotReplayed() {
    DriftReport r = replay(otherV1);
    assertThat(r.verdict()).isInstanceOf(DriftReport.Pass.class);
    assertThat(r.endpoints()).extracting(EndpointReport::name).containsExactly(
        "POST /graphql query GetUser", "POST /graphql query ListUserNames", "POST /graphql query UserAge");
    // the batch counts once for each of its operations
    assertThat(endpoint(r, "query GetUser").exchanges()).isEqualTo(2);
    assertThat(r.skipped()).isEqualTo(1);
  }

  @Test
  void aChangedSchemaIsDriftPerOperationAtPathsUnderData() throws Exception {
    DriftReport r = replay(v2);
    assertThat(r.verdict()).isInstanceOf(DriftReport.Drift.class);
    EndpointReport getUser = endpoint(r, "query GetUser");
    assertThat(getUser.verdict()).isEqualTo(DriftReport.EndpointVerdict.BREAKING);
    assertThat(getUser.differences()).extracting(Difference::path, d -> d.kind().wireName()).contains(
        org.assertj.core.groups.Tuple.tuple("$.errors", "graphql-error"),
        org.assertj.core.groups.Tuple.tuple("$.data", "field-removed"));
    assertThat(getUser.differences()).filteredOn(d -> d.kind() == DiffKind.GRAPHQL_ERROR).singleElement()
        .satisfies(d -> assertThat(d.message()).contains("email").contains("without errors"));
    assertThat(endpoint(r, "query UserAge").differences()).extracting(Difference::path, d -> d.kind().wireName())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("$.data.user.age", "type-changed"));
    assertThat(endpoint(r, "query ListUserNames").verdict()).isEqualTo(DriftReport.EndpointVerdict.OK);

    ReportWriter.writeAll(r, dir.resolve("reports"));
    assertThat(Files.readString(dir.resolve("reports/summary.md"))).contains("POST /graphql query GetUser");
    assertThat(Files.readString(dir.resolve("reports/drift.json"))).contains("\"operation\":\"query GetUser\"");
    assertThat(Files.readString(dir.resolve("reports/junit.xml"))).contains("name=\"POST /graphql query UserAge\"");
  }
}
