package dev.tapline.testgen;

import dev.tapline.core.endpoint.EndpointKey;
import java.util.List;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** What the emitter writes: classes of test cases, each a few HTTP steps. */
final class Plan {
  private Plan() {}

  /** A value for a path parameter. */
  sealed interface Expr permits Var, Literal, Fresh {}

  /** A variable extracted from an earlier step. */
  record Var(String name) implements Expr {}

  /** A recorded value, used when the traffic shows no way to create the resource. */
  record Literal(String value) implements Expr {}

  /** A value nobody created: a fresh random id, for not-found scenarios. */
  record Fresh(String name, boolean numeric) implements Expr {}

  record Step(
      EndpointKey endpoint,
      Candidate recorded,
      List<String> paramNames,
      List<Expr> params,
      @Nullable String extractVar,
      @Nullable String extractField,
      boolean extractString) {}

  record TestCase(
      String name,
      String display,
      EndpointKey endpoint,
      int status,
      List<String> comments,
      List<Step> setup,
      Step main,
      @Nullable String schemaResource,
      @Nullable String mime,
      boolean emptyBody,
      TreeMap<String, String> literals) {}

  record ClassPlan(String className, String service, String resource, List<TestCase> tests) {}
}
