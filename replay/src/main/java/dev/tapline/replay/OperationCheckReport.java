package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The result of {@code tapline graphql check}: each recorded GraphQL operation against a proposed
 * schema ({@link OperationCheck}), and the schema changes with the operations that use them. {@link
 * #writeAll} writes it as JUnit XML, Markdown and JSON, like a replay's reports.
 *
 * @param schema the proposed schema's file name
 * @param oldSchema the file name of the schema the operations were recorded against, when given
 * @param exchangesRead exchanges read from the source
 * @param operations one per service and operation, broken first, then by name
 */
public record OperationCheckReport(
    String schema,
    @Nullable String oldSchema,
    String source,
    Instant startedAt,
    Instant finishedAt,
    long exchangesRead,
    List<Operation> operations,
    SchemaChanges changes) {

  public OperationCheckReport {
    requireNonNull(schema, "schema");
    requireNonNull(source, "source");
    requireNonNull(startedAt, "startedAt");
    requireNonNull(finishedAt, "finishedAt");
    operations = List.copyOf(requireNonNull(operations, "operations"));
    requireNonNull(changes, "changes");
  }

  /** What the proposed schema does to one recorded operation. */
  public enum Status {
    /** The schema rejects the operation: clients sending it will get errors. */
    BROKEN,
    /** Valid, but it selects a field or passes an argument marked {@code @deprecated}. */
    DEPRECATED_USE,
    FINE;

    /** {@code broken}, {@code deprecated-use}, {@code fine}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * One recorded operation.
   *
   * @param operation {@code query GetUser}
   * @param seen how many times it was recorded (once per exchange; a batch counts each of its operations)
   * @param documents how many different documents were recorded under this name
   * @param problems graphql-java's validation errors against the proposed schema (broken), distinct
   * @param deprecated the deprecated fields and arguments it uses ({@code User.email is deprecated (use contact)})
   * @param document the (newest) document, printed by graphql-java
   */
  public record Operation(String service, String operation, Status status, long seen, long firstSeen, long lastSeen,
      String exampleId, int documents, List<String> problems, List<String> deprecated, String document) {
    public Operation {
      requireNonNull(service, "service");
      requireNonNull(operation, "operation");
      requireNonNull(status, "status");
      requireNonNull(exampleId, "exampleId");
      problems = List.copyOf(requireNonNull(problems, "problems"));
      deprecated = List.copyOf(requireNonNull(deprecated, "deprecated"));
      requireNonNull(document, "document");
    }
  }

  /**
   * Fields and arguments ({@code User.email}, {@code Mutation.createUser(email:)}) removed, added or
   * retyped between the old schema and the proposed one, each with the recorded operations that use
   * it. Without the old schema, {@code removed} is what recorded operations select that the proposed
   * schema lacks, and {@code unused} what it has that no recorded operation selects.
   *
   * @param againstOldSchema true when the old schema was given
   */
  public record SchemaChanges(boolean againstOldSchema, List<Change> removed, List<Change> added, List<Change> changed,
      List<String> unused) {
    public SchemaChanges {
      removed = List.copyOf(removed);
      added = List.copyOf(added);
      changed = List.copyOf(changed);
      unused = List.copyOf(unused);
    }
  }

  /**
   * One changed schema coordinate.
   *
   * @param before its type in the old schema (null when added, or unknown)
   * @param after its type in the proposed schema (null when removed)
   * @param usedBy the recorded operations that select it ({@code query GetUser}); empty means the
   *     change is safe for all recorded traffic
   */
  public record Change(String coordinate, @Nullable String before, @Nullable String after, List<String> usedBy) {
    public Change {
      requireNonNull(coordinate, "coordinate");
      usedBy = List.copyOf(usedBy);
    }

    /** No recorded operation uses it. */
    public boolean safe() {
      return usedBy.isEmpty();
    }
  }

  public long count(Status s) {
    return operations.stream().filter(o -> o.status() == s).count();
  }

  /** 1 when a recorded operation is broken, else 0. */
  public int exitCode() {
    return count(Status.BROKEN) > 0 ? 1 : 0;
  }

  /** {@code pass} or {@code broken}, as in the JSON report. */
  public String verdict() {
    return exitCode() == 0 ? "pass" : "broken";
  }

  /** Writes {@code graphql-check.xml}, {@code graphql-check.md} and {@code graphql-check.json} into {@code dir}. */
  public List<java.nio.file.Path> writeAll(java.nio.file.Path dir) throws java.io.IOException {
    return OperationCheckReports.writeAll(this, dir);
  }
}
