package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The result of one replay: a verdict, counts, and per endpoint the differences that count as
 * drift and the ones that were ignored as noise. {@link ReportWriter}s turn it into files; {@code
 * drift.json} is its wire form (schema in {@code docs/DRIFT.md}).
 *
 * @param routingKey the key in {@code --target}/{@code --routing-key} mode, else null
 * @param skipped exchanges read but not replayed (a method not in {@code --methods}, a truncated
 *     request body)
 * @param endpoints sorted by template, then method, then operation
 */
public record DriftReport(
    String runId,
    Instant startedAt,
    Instant finishedAt,
    String baseline,
    String sandbox,
    @Nullable String routingKey,
    FailOn failOn,
    Verdict verdict,
    Counts counts,
    int skipped,
    List<EndpointReport> endpoints) {

  public DriftReport {
    requireNonNull(runId, "runId");
    requireNonNull(startedAt, "startedAt");
    requireNonNull(finishedAt, "finishedAt");
    requireNonNull(baseline, "baseline");
    requireNonNull(sandbox, "sandbox");
    requireNonNull(failOn, "failOn");
    requireNonNull(verdict, "verdict");
    requireNonNull(counts, "counts");
    endpoints = List.copyOf(requireNonNull(endpoints, "endpoints"));
  }

  /** The process exit code: 0 pass, 1 drift at or above {@code --fail-on}, 3 a target failed. */
  public int exitCode() {
    return verdict.exitCode();
  }

  /** The run's outcome. */
  public sealed interface Verdict {
    /** {@code pass}, {@code drift} or {@code error}, as in drift.json. */
    String wireName();

    int exitCode();

    /** One line for a terminal or a CI log. */
    String describe();
  }

  /** No difference at or above {@code --fail-on} (lower ones may still be listed). */
  public record Pass() implements Verdict {
    @Override
    public String wireName() {
      return "pass";
    }

    @Override
    public int exitCode() {
      return 0;
    }

    @Override
    public String describe() {
      return "no drift";
    }
  }

  /** Differences at or above {@code --fail-on}. */
  public record Drift(int breaking, int compatible) implements Verdict {
    @Override
    public String wireName() {
      return "drift";
    }

    @Override
    public int exitCode() {
      return 1;
    }

    @Override
    public String describe() {
      return "drift: " + breaking + " breaking, " + compatible + " compatible";
    }
  }

  /**
   * A target was unreachable or failing on most requests; the comparison cannot be trusted.
   *
   * @param side {@code baseline} or {@code sandbox}
   */
  public record TargetFailure(String side, String reason) implements Verdict {
    public TargetFailure {
      requireNonNull(side, "side");
      requireNonNull(reason, "reason");
    }

    @Override
    public String wireName() {
      return "error";
    }

    @Override
    public int exitCode() {
      return 3;
    }

    @Override
    public String describe() {
      return reason;
    }
  }

  /**
   * @param endpoints endpoints replayed
   * @param exchanges exchanges replayed (compared or failed)
   * @param breaking distinct breaking differences over all endpoints
   * @param compatible distinct compatible differences
   * @param ignored distinct ignored paths
   */
  public record Counts(int endpoints, int exchanges, int breaking, int compatible, int ignored) {}

  /**
   * One endpoint's result.
   *
   * @param operation the GraphQL operation ({@code query GetUser}) when the endpoint is one, else
   *     {@code ""}
   */
  public record EndpointReport(
      String method,
      String template,
      String operation,
      int exchanges,
      EndpointVerdict verdict,
      List<Difference> differences,
      List<Ignored> ignored,
      List<String> errors) {
    public EndpointReport {
      requireNonNull(method, "method");
      requireNonNull(template, "template");
      requireNonNull(operation, "operation");
      requireNonNull(verdict, "verdict");
      differences = List.copyOf(requireNonNull(differences, "differences"));
      ignored = List.copyOf(requireNonNull(ignored, "ignored"));
      errors = List.copyOf(requireNonNull(errors, "errors"));
    }

    /** A REST endpoint's report. */
    public EndpointReport(String method, String template, int exchanges, EndpointVerdict verdict,
        List<Difference> differences, List<Ignored> ignored, List<String> errors) {
      this(method, template, "", exchanges, verdict, differences, ignored, errors);
    }

    /** {@code GET /orders/{id}}, or {@code POST /graphql query GetUser}. */
    public String name() {
      return operation.isEmpty() ? method + " " + template : method + " " + template + " " + operation;
    }

    public long count(DriftClass c) {
      return differences.stream().filter(d -> d.driftClass() == c).count();
    }
  }

  /** {@code breaking}, {@code compatible}, {@code ok} or {@code error} (every exchange failed). */
  public enum EndpointVerdict {
    BREAKING,
    COMPATIBLE,
    OK,
    ERROR;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One difference between the baseline and the sandbox response.
   *
   * @param path {@code $.items[*].price} in the body, {@code status}, or {@code header:Location}
   * @param baseline the baseline's value (null when absent)
   * @param sandbox the sandbox's value (null when absent)
   * @param exchangeId the recorded exchange that showed it first
   */
  public record Difference(
      String path,
      DiffKind kind,
      DriftClass driftClass,
      @Nullable JsonNode baseline,
      @Nullable JsonNode sandbox,
      String exchangeId,
      String message) {
    public Difference {
      requireNonNull(path, "path");
      requireNonNull(kind, "kind");
      requireNonNull(driftClass, "driftClass");
      requireNonNull(exchangeId, "exchangeId");
      requireNonNull(message, "message");
    }
  }

  /** A path that differed but is noise (or was ignored on purpose), and why. */
  public record Ignored(String path, String reason) {
    public Ignored {
      requireNonNull(path, "path");
      requireNonNull(reason, "reason");
    }
  }
}
