package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Exchange;
import dev.tapline.core.endpoint.GraphqlOperation;
import dev.tapline.core.endpoint.GraphqlResolver;
import dev.tapline.core.graphql.GraphqlSchema;
import dev.tapline.replay.OperationCheckReport.Change;
import dev.tapline.replay.OperationCheckReport.Operation;
import dev.tapline.replay.OperationCheckReport.SchemaChanges;
import dev.tapline.replay.OperationCheckReport.Status;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Checks recorded GraphQL operations against a proposed schema before it merges: {@code tapline
 * graphql check}. Each operation (service and {@code query GetUser}, every document recorded under
 * it) is validated with graphql-java against the schema and is {@link Status#BROKEN} (with the
 * validation error), {@link Status#DEPRECATED_USE} or {@link Status#FINE}; the report also lists the
 * schema's changes with the operations that use each, so removing a field nobody selects shows as
 * safe, with the evidence.
 *
 * <pre>{@code
 * OperationCheck check = OperationCheck.of(Path.of("schema-v2.graphql"), Path.of("schema-v1.graphql"),
 *     GraphqlResolver.defaults());
 * try (ExchangeSource in = ExchangeSource.open("http://recorder:7070", "service:users", token, Duration.ofSeconds(10))) {
 *   OperationCheckReport report = check.check(in, e -> true);
 *   report.writeAll(Path.of("target/tapline"));
 *   System.exit(report.exitCode());   // 1 when a recorded operation breaks
 * }
 * }</pre>
 */
public final class OperationCheck {
  private final GraphqlSchema schema;
  private final @Nullable GraphqlSchema oldSchema;
  private final GraphqlResolver resolver;

  private OperationCheck(GraphqlSchema schema, @Nullable GraphqlSchema oldSchema, GraphqlResolver resolver) {
    this.schema = schema;
    this.oldSchema = oldSchema;
    this.resolver = resolver;
  }

  /**
   * @param schema the proposed schema (SDL or introspection JSON, {@link GraphqlSchema#load})
   * @param oldSchema the schema the operations were recorded against (SDL or introspection JSON), or null when unknown
   * @param resolver which requests are GraphQL (the recorder's paths)
   * @throws IllegalArgumentException naming the file, when a schema cannot be read or is not valid
   */
  public static OperationCheck of(Path schema, @Nullable Path oldSchema, GraphqlResolver resolver) {
    return new OperationCheck(GraphqlSchema.load(schema), oldSchema == null ? null : GraphqlSchema.load(oldSchema),
        requireNonNull(resolver, "resolver"));
  }

  /** The same from SDL text (tests, embedding). */
  public static OperationCheck ofSdl(String schema, @Nullable String oldSchema, GraphqlResolver resolver) {
    return new OperationCheck(GraphqlSchema.parse(schema, "schema.graphql", "schema"),
        oldSchema == null ? null : GraphqlSchema.parse(oldSchema, "old-schema.graphql", "old schema"),
        requireNonNull(resolver, "resolver"));
  }

  /**
   * Reads every exchange of {@code source} that {@code include} accepts and checks the GraphQL
   * operations among them.
   *
   * @throws ReplayInputException when the source is malformed, or holds no GraphQL operation
   */
  public OperationCheckReport check(ExchangeSource source, Predicate<Exchange> include) {
    Instant started = Instant.now();
    Map<String, Seen> seen = new TreeMap<>();
    long read = 0;
    Exchange e;
    while ((e = source.next()) != null) {
      read++;
      if (!include.test(e)) {
        continue;
      }
      for (GraphqlOperation op : resolver.operations(e.request())) {
        seen.computeIfAbsent(e.service() + '\n' + op.operation(), k -> new Seen()).add(e, op);
      }
    }
    if (seen.isEmpty()) {
      throw new ReplayInputException(read == 0 ? "no exchanges in " + source.describe()
          : "no GraphQL operations among the " + read + " exchanges read from " + source.describe()
              + " (GraphQL is recognised on /graphql and paths ending with it; see --graphql-path)");
    }
    List<Operation> operations = new ArrayList<>();
    Map<String, Set<String>> usersOf = new TreeMap<>();
    Set<String> usedInNew = new TreeSet<>();
    for (Map.Entry<String, Seen> entry : seen.entrySet()) {
      String service = entry.getKey().substring(0, entry.getKey().indexOf('\n'));
      String operation = entry.getKey().substring(entry.getKey().indexOf('\n') + 1);
      Seen s = entry.getValue();
      Set<String> problems = new LinkedHashSet<>();
      Set<String> deprecated = new LinkedHashSet<>();
      for (GraphqlOperation variant : s.documents.values()) {
        String name = variant.anonymous() ? null : variant.name();
        problems.addAll(schema.validate(variant.document(), name));
        GraphqlSchema.Selected now = schema.selected(variant.document(), name);
        deprecated.addAll(now.deprecated());
        usedInNew.addAll(now.coordinates());
        Set<String> used = oldSchema == null ? now.coordinates() : oldSchema.selected(variant.document(), name).coordinates();
        for (String c : used) {
          usersOf.computeIfAbsent(c, k -> new TreeSet<>()).add(operation);
        }
      }
      Status status = !problems.isEmpty() ? Status.BROKEN : !deprecated.isEmpty() ? Status.DEPRECATED_USE : Status.FINE;
      operations.add(new Operation(service, operation, status, s.count, s.first, s.last, s.exampleId, s.documents.size(),
          List.copyOf(problems), List.copyOf(deprecated), s.newest.pretty()));
    }
    operations.sort(Comparator.comparing(Operation::status).thenComparing(Operation::service)
        .thenComparing(o -> o.operation().substring(o.operation().indexOf(' ') + 1)));
    return new OperationCheckReport(schema.name(), oldSchema == null ? null : oldSchema.name(), source.describe(),
        started, Instant.now(), read, operations, changes(usersOf, usedInNew));
  }

  private SchemaChanges changes(Map<String, Set<String>> usersOf, Set<String> usedInNew) {
    Map<String, String> now = schema.coordinates();
    List<Change> removed = new ArrayList<>();
    List<Change> added = new ArrayList<>();
    List<Change> changed = new ArrayList<>();
    List<String> unused = new ArrayList<>();
    if (oldSchema != null) {
      Map<String, String> before = oldSchema.coordinates();
      before.forEach((c, type) -> {
        if (!now.containsKey(c)) {
          removed.add(new Change(c, type, null, users(usersOf, c)));
        } else if (!now.get(c).equals(type)) {
          changed.add(new Change(c, type, now.get(c), users(usersOf, c)));
        }
      });
      now.forEach((c, type) -> {
        if (!before.containsKey(c)) {
          added.add(new Change(c, null, type, List.of()));
        }
      });
    } else {
      usersOf.forEach((c, users) -> {
        if (!now.containsKey(c)) {
          removed.add(new Change(c, null, null, List.copyOf(users)));
        }
      });
    }
    now.keySet().forEach(c -> {
      if (!c.endsWith(":)") && !usedInNew.contains(c)) {
        unused.add(c);
      }
    });
    return new SchemaChanges(oldSchema != null, removed, added, changed, unused);
  }

  private static List<String> users(Map<String, Set<String>> usersOf, String coordinate) {
    Set<String> u = usersOf.get(coordinate);
    return u == null ? List.of() : List.copyOf(u);
  }

  /** One operation's recordings: counts, times, and its distinct documents (the first hundred). */
  private static final class Seen {
    static final int MAX_DOCUMENTS = 100;
    long count;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    String exampleId = "";
    GraphqlOperation newest;
    final Map<String, GraphqlOperation> documents = new LinkedHashMap<>();

    void add(Exchange e, GraphqlOperation op) {
      count++;
      first = Math.min(first, e.startedAt());
      if (e.startedAt() >= last) {
        last = e.startedAt();
        exampleId = e.id();
        newest = op;
      }
      if (documents.size() < MAX_DOCUMENTS) {
        documents.putIfAbsent(op.query().strip(), op);
      }
    }
  }
}
