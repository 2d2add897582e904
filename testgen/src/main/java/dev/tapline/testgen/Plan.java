package dev.tapline.testgen;

import dev.tapline.core.endpoint.EndpointKey;
import java.util.List;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** What the emitter writes: classes of test cases, each a few HTTP steps. */
final class Plan {
  private Plan() {}

  /** A value in the generated code: of a path parameter, or put into a request body. */
  sealed interface Expr permits Var, Literal, Fresh, Cred {}

  /**
   * A credential of the run, read by the support class's {@code credential(property, env,
   * recorded)}: what a login sends where the recording had a redacted value.
   *
   * @param name its placeholder in a body template ({@code password})
   * @param recorded the recorded value the run may replace, or null when the run must give it
   */
  record Cred(String name, String property, String env, @Nullable String recorded) implements Expr {}

  /**
   * A login the generated tests perform: the support class logs in once per run, keeps what the
   * login answered, presents it on the requests that presented the recorded credentials, and logs in
   * again when one is answered 401.
   *
   * @param name {@code login}, {@code webSession}, {@code clientCredentials}
   * @param specMethod the support class's method a test's request starts from ({@code authenticated()})
   * @param logInMethod the support class's private method that logs in
   * @param session the support class's constant holding the session
   * @param display what messages call it: {@code POST /login}
   * @param exchangeId the recorded login it repeats, or null for client credentials
   * @param path relative to the base path (a recorded login), or the token URL (client credentials)
   * @param body the login's body with the run's credentials put in, or null
   * @param status what the login must answer
   * @param links what it answers and how requests present it
   * @param grant the client-credentials grant, or null for a recorded login
   * @param credentials what the run gives it, for the report
   * @param uses recorded requests that presented its credentials
   */
  record Login(
      String name,
      String specMethod,
      String logInMethod,
      String session,
      String display,
      @Nullable String exchangeId,
      String httpMethod,
      String path,
      @Nullable String contentType,
      @Nullable BodyText body,
      int status,
      List<dev.tapline.core.auth.LoginFlow.Link> links,
      dev.tapline.core.auth.@Nullable ClientCredentials grant,
      List<Cred> credentials,
      long uses) {}

  /** A variable defined earlier in the test (extracted from a response, or a fresh value). */
  record Var(String name) implements Expr {}

  /** A recorded value, used only when the traffic shows no way to create or read the resource. */
  record Literal(String value) implements Expr {}

  /**
   * A value made at run time, declared at the top of the test: an id no resource has (for
   * not-found cases), or a value for a field that must be unique.
   *
   * @param sample the recorded value it stands for (unique values keep its shape)
   */
  record Fresh(String name, FreshKind kind, String sample) implements Expr {}

  /** How a fresh value is made; each is a method of the emitted support class. */
  enum FreshKind {
    /** A positive int32 no resource is likely to have: what services that parse ids as int return 404 for. */
    INT32("freshInt32()"),
    /** A positive int64 no resource is likely to have. */
    INT64("freshInt64()"),
    /** A random UUID. */
    UUID("freshUuid()"),
    /** A random string of letters and digits as long as the recorded one. */
    STRING("freshString(%d)"),
    /** The recorded value made unique, keeping its shape (digits, letters, an email). */
    UNIQUE("unique(%s)");

    final String call;

    FreshKind(String call) {
      this.call = call;
    }
  }

  /**
   * A request body with run-time values put in: {@code text} has {@code ${name}} placeholders, each
   * filled from {@code values} by the support class's {@code fill} (escaped for JSON), or for a
   * {@code form} body by its {@code fillForm} (URL-encoded).
   */
  record BodyText(String text, TreeMap<String, Expr> values, boolean form) {
    BodyText(String text, TreeMap<String, Expr> values) {
      this(text, values, false);
    }

    boolean templated() {
      return !values.isEmpty();
    }
  }

  /**
   * A GraphQL call's body: the document (pretty-printed, for a text block), its operation name and
   * its variables as JSON (with run-time values put in), sent as {@code {"query", "operationName",
   * "variables"}} by the support class's {@code graphql}.
   */
  record GraphqlCall(String document, String operationName, @Nullable BodyText variables) {}

  /** A value taken from a step's response into a variable. */
  record Extract(String var, String path, boolean string) {}

  /**
   * One HTTP call.
   *
   * @param endpoint the endpoint, its template relative to the class's base path
   * @param body the body to send (the recorded one with run-time values put in), or null
   * @param expectStatus the status it must answer
   * @param responseVar the name of the variable holding the response
   */
  record Step(
      EndpointKey endpoint,
      Candidate recorded,
      List<String> paramNames,
      List<Expr> params,
      @Nullable BodyText body,
      int expectStatus,
      String responseVar,
      @Nullable Extract extract,
      @Nullable GraphqlCall graphql) {

    Step(EndpointKey endpoint, Candidate recorded, List<String> paramNames, List<Expr> params, @Nullable BodyText body,
        int expectStatus, String responseVar, @Nullable Extract extract) {
      this(endpoint, recorded, paramNames, params, body, expectStatus, responseVar, extract, null);
    }
  }

  /** What the main step's response is checked for beyond its status. */
  sealed interface Check permits Equals, EndsWith, Present {
    String path();
  }

  /** The value at {@code path} is there (not null), or absent: a GraphQL answer's {@code errors}. */
  record Present(String path, boolean present) implements Check {}

  /** The JSON value at {@code path} is exactly {@code json}. */
  record Equals(String path, String json) implements Check {}

  /** The string at {@code path} ends with {@code suffix}: a URL that carried the recorded host. */
  record EndsWith(String path, String suffix) implements Check {}

  record TestCase(
      String name,
      String display,
      EndpointKey endpoint,
      int status,
      List<String> comments,
      List<Fresh> fresh,
      List<Step> setup,
      Step main,
      @Nullable String schemaResource,
      @Nullable String mime,
      boolean emptyBody,
      List<Check> checks,
      List<String> dropped) {

    TestCase withChecks(@Nullable String schema, @Nullable String newMime, List<Check> newChecks,
        List<String> newDropped) {
      return new TestCase(name, display, endpoint, status, comments, fresh, setup, main, schema, newMime, emptyBody,
          newChecks, newDropped);
    }
  }

  /**
   * One test class: the tests of one resource under the base path.
   *
   * @param basePath where the service's resources sit; tests' paths are relative to it and {@code
   *     tapline.baseUri} includes it
   */
  record ClassPlan(String className, String service, String resource, String basePath, List<TestCase> tests) {
    ClassPlan withTests(List<TestCase> newTests) {
      return new ClassPlan(className, service, resource, basePath, newTests);
    }
  }
}
