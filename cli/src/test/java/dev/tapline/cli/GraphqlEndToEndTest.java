package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.tapline.core.api.EndpointStats;
import dev.tapline.core.api.RecorderClient;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import dev.tapline.proxy.CapturePolicy;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ProxyConfig;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import dev.tapline.replay.DiffKind;
import dev.tapline.replay.DriftReport.Difference;
import dev.tapline.replay.DriftReport.EndpointReport;
import dev.tapline.replay.DriftReport;
import dev.tapline.replay.ExchangeSource;
import dev.tapline.replay.ReplayListener;
import dev.tapline.replay.ReplayOptions;
import dev.tapline.replay.Replayer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GraphQL from end to end against a real Apollo Server ({@code examples/graphql}): queries,
 * mutations, variables, an error, a batch and a GET go through the capture proxy into Kafka and the
 * recorder; the catalog lists the operations by name; replay against the changed schema reports drift
 * per operation; {@code tapline graphql check} flags exactly the recorded operations the new schema
 * breaks and passes a compatible change.
 */
class GraphqlEndToEndTest {
  static final String GET_USER = "{\"operationName\":\"GetUser\",\"query\":\"query GetUser($id: ID!) { user(id: $id) { id name email } }\","
      + "\"variables\":{\"id\":\"1\"}}";
  static final String LIST_NAMES = "{\"operationName\":\"ListUserNames\",\"query\":\"query ListUserNames { users { id name } }\"}";
  static final String FIRST_USERS = "{\"query\":\"query FirstUsers($n: Int) { users(first: $n) { id } }\",\"variables\":{\"n\":1}}";
  static final String USER_AGE = "{\"query\":\"query UserAge { user(id: \\\"2\\\") { age } }\"}";
  static final String BOOM = "{\"query\":\"query Boom { user(id: \\\"boom\\\") { id } }\"}";
  static final String LOGINS = "{\"query\":\"query Logins { users { login } }\"}";
  static final String CREATE_USER = "{\"operationName\":\"CreateUser\",\"query\":\"mutation CreateUser($n: String!, $e: String!) "
      + "{ createUser(name: $n, email: $e) { id name } }\",\"variables\":{\"n\":\"cy\",\"e\":\"cy@example.com\",\"password\":\"hunter2\"}}";

  @TempDir static Path dir;
  static ApolloServer v1;
  static ApolloServer v2;
  static CaptureProxy proxy;
  static Recorder recorder;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static int sent;

  @BeforeAll
  static void recordTrafficThroughTheProxy() throws Exception {
    ApolloServer.assumeAvailable();
    v1 = ApolloServer.start("schema-v1.graphql");
    v2 = ApolloServer.start("schema-v2.graphql");
    String topic = SharedKafka.uniqueTopic("graphql");
    recorder = Recorder.start(RecorderConfig.builder().kafka(SharedKafka.bootstrap()).topic(topic).groupId("g-" + topic)
        .indexDir(dir.resolve("index")).build());
    proxy = CaptureProxy.start(ProxyConfig.builder().listen("127.0.0.1", 0).service("gql").baseline(v1.uri())
        .sandboxes(Map.of("gql-v2", v2.uri())).kafkaBootstrap(SharedKafka.bootstrap()).topic(topic)
        .capture(CapturePolicy.ALL).admin("127.0.0.1", 0).build());
    for (int i = 0; i < 3; i++) {
      post(GET_USER);
      post(LIST_NAMES);
    }
    post(FIRST_USERS);
    post(USER_AGE);
    post(LOGINS);
    post(CREATE_USER);
    post(CREATE_USER);
    assertThat(post(BOOM)).contains("user store unavailable");
    assertThat(post("[" + LIST_NAMES + "," + GET_USER + "]")).startsWith("[");
    HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(proxy.uri() + "/graphql?query="
        + URLEncoder.encode("{ users { id } }", StandardCharsets.UTF_8))).header("apollo-require-preflight", "true").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
    sent++;
    await().atMost(Duration.ofSeconds(60)).until(() -> recorder.index().size() == sent);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {proxy, recorder, v1, v2}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // closing the rest matters more
        }
      }
    }
  }

  static String post(String body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(proxy.uri() + "/graphql"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    sent++;
    return r.body();
  }

  @Test
  void theCatalogListsEveryOperationByNameAndSearchFindsThem() throws Exception {
    RecorderClient client = RecorderClient.builder(recorder.baseUri().toString()).build();
    List<EndpointStats> catalog = client.endpoints("gql", null);
    assertThat(catalog).extracting(EndpointStats::method, EndpointStats::template, EndpointStats::operation, EndpointStats::count)
        .contains(
            tuple("POST", "/graphql", "query GetUser", 4L),
            tuple("POST", "/graphql", "query ListUserNames", 4L),
            tuple("POST", "/graphql", "mutation CreateUser", 2L),
            tuple("POST", "/graphql", "query Boom", 1L),
            tuple("POST", "/graphql", "query FirstUsers", 1L));
    assertThat(catalog).filteredOn(e -> e.method().equals("GET")).singleElement()
        .satisfies(e -> assertThat(e.operation()).matches("query anonymous_[0-9a-f]{8}"));
    assertThat(client.search("operation:GetUser", 100, null).items()).hasSize(4);
    assertThat(client.search("operationType:mutation", 100, null).items()).hasSize(2)
        .allSatisfy(s -> assertThat(s.operation()).isEqualTo("mutation CreateUser"));
    assertThat(client.search("field:users AND operation:GetUser", 100, null).items()).hasSize(1);
    // variables pass the proxy's redaction like any JSON body
    String created = new String(recorder.index().source(client.search("operation:CreateUser", 1, null).items().get(0).id())
        .orElseThrow(), StandardCharsets.UTF_8);
    assertThat(created).doesNotContain("hunter2").contains("cy@example.com");
  }

  @Test
  void replayAgainstTheChangedSchemaReportsDriftPerOperation() {
    DriftReport r;
    try (ExchangeSource src = ExchangeSource.open(recorder.baseUri().toString(), "service:gql", null, Duration.ofSeconds(10))) {
      r = Replayer.create(ReplayOptions.builder().baselineAndSandbox(v1.uri(), v2.uri()).build())
          .replay(src, ReplayListener.none());
    }
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(endpoint(r, "query GetUser").differences()).extracting(Difference::path, Difference::kind)
        .contains(tuple("$.errors", DiffKind.GRAPHQL_ERROR), tuple("$.data", DiffKind.FIELD_REMOVED));
    assertThat(endpoint(r, "query GetUser").differences()).filteredOn(d -> d.kind() == DiffKind.GRAPHQL_ERROR)
        .singleElement().satisfies(d -> assertThat(d.message()).contains("Cannot query field \"email\" on type \"User\""));
    assertThat(endpoint(r, "query UserAge").differences()).extracting(Difference::path, Difference::kind)
        .containsExactly(tuple("$.data.user.age", DiffKind.TYPE_CHANGED));
    assertThat(endpoint(r, "query FirstUsers").verdict()).isEqualTo(DriftReport.EndpointVerdict.BREAKING);
    assertThat(endpoint(r, "query ListUserNames").verdict()).isEqualTo(DriftReport.EndpointVerdict.OK);
    assertThat(endpoint(r, "query Boom").verdict()).isEqualTo(DriftReport.EndpointVerdict.OK);
    assertThat(r.endpoints()).noneMatch(ep -> ep.operation().startsWith("mutation"));
  }

  private static EndpointReport endpoint(DriftReport r, String operation) {
    return r.endpoints().stream().filter(ep -> ep.operation().equals(operation)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + operation + " in " + r.endpoints().stream().map(EndpointReport::name).toList()));
  }

  @Test
  void graphqlCheckFlagsExactlyTheBrokenOperationsAndPassesACompatibleChange() throws Exception {
    String from = recorder.baseUri().toString();
    Path v1Schema = ApolloServer.DIR.resolve("schema-v1.graphql");
    Path v2Schema = ApolloServer.DIR.resolve("schema-v2.graphql");
    Path compatible = Files.writeString(dir.resolve("compatible.graphql"), Files.readString(v1Schema)
        .replace("nickname: String", "nickname: String\n  phone: String")
        .replace("users(first: Int)", "users(first: Int, after: ID)"));

    CliRun broken = CliRun.run("graphql", "check", "--schema", v2Schema.toString(), "--old-schema", v1Schema.toString(),
        "--from", from, "--service", "gql", "--since", "1h", "--report-dir", dir.resolve("reports").toString());
    assertThat(broken.rc()).as(broken.err()).isEqualTo(1);
    List<String> brokenLines = broken.out().lines().filter(l -> l.trim().startsWith("broken ")).toList();
    assertThat(brokenLines).hasSize(3).anySatisfy(l -> assertThat(l).contains("query GetUser").contains("email"))
        .anySatisfy(l -> assertThat(l).contains("mutation CreateUser"))
        .anySatisfy(l -> assertThat(l).contains("query FirstUsers").contains("first"));
    assertThat(broken.out().lines().filter(l -> l.contains("ListUserNames"))).allSatisfy(l -> assertThat(l).doesNotContain("broken"));
    assertThat(broken.out()).contains("deprecated-use").contains("query Logins")
        .contains("schema: removed User.nickname (safe: no recorded operation selects it)")
        .contains("schema: removed User.email (used by query GetUser)")
        .contains("schema: removed Query.users(first:) (used by query FirstUsers)")
        .contains("schema: changed User.age from Int to String (used by query UserAge)")
        .contains("graphql check FAILED: 3 broken, 1 deprecated-use");
    assertThat(dir.resolve("reports/graphql-check.xml")).exists();
    assertThat(Files.readString(dir.resolve("reports/graphql-check.md"))).contains("| broken | `query GetUser` | gql | 4 |");

    CliRun same = CliRun.run("graphql", "check", "--schema", v1Schema.toString(), "--from", from, "--report-dir", dir.resolve("r1").toString());
    assertThat(same.rc()).as(same.out() + same.err()).isZero();
    CliRun ok = CliRun.run("graphql", "check", "--schema", compatible.toString(), "--from", from, "--service", "gql",
        "--report-dir", dir.resolve("r2").toString());
    assertThat(ok.rc()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).contains("graphql check pass: 0 broken");

    CliRun bad = CliRun.run("graphql", "check", "--schema", dir.resolve("missing.graphql").toString(), "--from", from);
    assertThat(bad.rc()).isEqualTo(2);
    assertThat(bad.err()).contains("--schema").contains("missing.graphql");
    CliRun none = CliRun.run("graphql", "check", "--schema", v1Schema.toString(), "--from", from, "--service", "nobody");
    assertThat(none.rc()).isEqualTo(2);
    assertThat(none.err()).contains("no exchanges");
  }

  @Test
  void generatedTestsPassThriceOnTheBaselineAndFailOnTheChangeNamingTheField() throws Exception {
    Path out = dir.resolve("contract/src/test");
    CliRun gen = CliRun.run("generate", "--from", recorder.baseUri().toString(), "--service", "gql", "--out", out.toString(),
        "--package", "com.example.gql", "--verify", v1.uri().toString(), "--runs", "3",
        "--graphql-schema", ApolloServer.DIR.resolve("schema-v1.graphql").toString());
    assertThat(gen.rc()).as(gen.out() + gen.err()).isZero();
    assertThat(gen.out()).contains("Verified against " + v1.uri() + ": 3 run(s) per round");
    java.util.TreeMap<String, String> files = new java.util.TreeMap<>();
    try (var walk = Files.walk(out)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        files.put(out.relativize(f).toString().replace('\\', '/'), Files.readString(f));
      }
    }
    String suite = files.entrySet().stream().filter(e -> e.getKey().endsWith("ContractTest.java")).map(Map.Entry::getValue)
        .reduce("", String::concat);
    // data typed by the SDL: User.age is an Int that may be null, whatever the recording showed.
    assertThat(files.get("tapline-report.md")).contains("## GraphQL schema", "`schema-v1.graphql`")
        .doesNotContain("Checked against the recording instead");
    assertThat(files.get("resources/com/example/gql/schemas/graphql/post-graphql-user-age-200.json").replaceAll("\\s+", ""))
        .contains("\"age\":{\"type\":[\"integer\",\"null\"]}");
    assertThat(suite).contains("getUser_returnsData", "TaplineTarget.graphql(", "\"GetUser\"", "createUser", "query Boom",
        "\"errors\", nullValue()", "\"errors\", notNullValue()").doesNotContain("hunter2");

    try (dev.tapline.testgen.SuiteRunner suiteRunner = dev.tapline.testgen.SuiteRunner.compile(files, dir.resolve("classes"))) {
      java.util.SortedMap<String, String> results = suiteRunner.run(v2.uri().toString());
      Map<String, String> failures = dev.tapline.testgen.SuiteRunner.failures(results);
      assertThat(failures).as(results.toString()).containsKeys("getUser_returnsData", "firstUsers_returnsData",
          "userAge_returnsData");
      assertThat(failures.get("getUser_returnsData")).contains("email");
      assertThat(failures.get("firstUsers_returnsData")).contains("first");
      assertThat(failures.get("userAge_returnsData")).contains("age");
      assertThat(results).containsEntry("listUserNames_returnsData", "").containsEntry("boom_returnsErrors", "");
    }
  }

}
