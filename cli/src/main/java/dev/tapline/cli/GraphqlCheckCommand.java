package dev.tapline.cli;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeReader;
import dev.tapline.core.Ids;
import dev.tapline.core.api.QueryTerms;
import dev.tapline.core.api.RecorderClient;
import dev.tapline.replay.ExchangeSource;
import dev.tapline.replay.OperationCheck;
import dev.tapline.replay.OperationCheckReport.Change;
import dev.tapline.replay.OperationCheckReport.Operation;
import dev.tapline.replay.OperationCheckReport.Status;
import dev.tapline.replay.OperationCheckReport;
import dev.tapline.replay.ReplayInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapline graphql check}: recorded operations against a proposed schema, before it merges. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Validates every recorded GraphQL operation against a proposed schema with graphql-java.",
    description = {
      "Each operation (service and 'query GetUser') is broken (the schema rejects it; the",
      "validation error says why), deprecated-use (it selects a field or passes an argument",
      "marked @deprecated) or fine, with how often it was seen. The schema changes are listed",
      "with the operations that use each: removing a field no recorded operation selects is safe.",
      "Reports (graphql-check.xml, .md, .json) go to --report-dir. See docs/GRAPHQL.md.",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every recorded operation is valid against the schema",
      "1:a recorded operation is broken",
      "2:bad usage or unreadable input (schema, exchanges)"
    },
    footer = {"", "Examples:",
      "  tapline graphql check --schema schema.graphql --from http://recorder:7070 --service users --since 7d",
      "  tapline graphql check --schema new.graphql --old-schema main.graphql --from exchanges.ndjson"})
final class GraphqlCheckCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Spec CommandSpec spec;

  @Option(names = "--schema", required = true, paramLabel = "FILE", description = "The proposed schema (SDL, or an introspection result as JSON).")
  Path schema;

  @Option(names = "--old-schema", paramLabel = "FILE",
      description = "The schema the traffic was recorded against (SDL or introspection JSON): the schema changes are computed against it.")
  @Nullable Path oldSchema;

  @Option(names = "--from", required = true, paramLabel = "URL|FILE",
      description = "Recorded exchanges: a recorder URL (its /api/export is read) or an NDJSON file.")
  String from;

  @Option(names = "--service", paramLabel = "S", description = "Only operations of this service.")
  @Nullable String service;

  @Option(names = "--since", paramLabel = "DURATION", description = "Only exchanges recorded this recently: 7d, 12h, 30m.")
  @Nullable String since;

  @Option(names = "--query", paramLabel = "Q", description = "Further recorder query (Lucene syntax), with a recorder URL.")
  @Nullable String query;

  @Mixin RecorderToken token = new RecorderToken();

  @Mixin GraphqlPaths graphqlPaths = new GraphqlPaths();

  @Option(names = "--report-dir", paramLabel = "DIR", defaultValue = "tapline-reports",
      description = "Where graphql-check.xml, graphql-check.md and graphql-check.json go (default: ${DEFAULT-VALUE}).")
  Path reportDir;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    OperationCheck check;
    try {
      check = OperationCheck.of(schema, oldSchema, graphqlPaths.resolver());
    } catch (IllegalArgumentException e) {
      String flag = oldSchema != null && e.getMessage().startsWith(oldSchema.toString()) ? "--old-schema " : "--schema ";
      throw new UsageException(flag + e.getMessage(), e);
    }
    long cutoff = since == null ? Long.MIN_VALUE : Ids.nowMicros() - Durations.positive("--since", since).toNanos() / 1000;
    boolean recorder = ExchangeReader.isUrl(from);
    Predicate<Exchange> include = e -> (service == null || service.equals(e.service())) && e.startedAt() >= cutoff;
    OperationCheckReport report;
    try (ExchangeSource src = ExchangeSource.open(from, recorder ? recorderQuery(cutoff) : query, token.value(),
        RecorderClient.DEFAULT_CONNECT_TIMEOUT)) {
      report = check.check(src, include);
    } catch (ReplayInputException e) {
      throw new UsageException(e.getMessage(), e);
    }
    try {
      report.writeAll(reportDir);
    } catch (IOException e) {
      throw new UsageException("cannot write reports to " + reportDir + ": " + e.getMessage(), e);
    }
    print(report, out);
    out.flush();
    return report.exitCode();
  }

  /** The recorder narrows the export: the service, the time, GraphQL operations only. */
  private String recorderQuery(long cutoff) {
    List<String> parts = new ArrayList<>();
    if (query != null && !query.isBlank()) {
      parts.add("(" + query + ")");
    }
    if (service != null) {
      parts.add("service:" + QueryTerms.quoted(service));
    }
    if (cutoff != Long.MIN_VALUE) {
      parts.add("time:[" + cutoff + " TO *]");
    }
    parts.add("operationType:(query OR mutation OR subscription)");
    return String.join(" AND ", parts);
  }

  private static void print(OperationCheckReport r, PrintWriter out) {
    int width = 10;
    for (Operation op : r.operations()) {
      width = Math.max(width, op.operation().length());
    }
    boolean services = r.operations().stream().map(Operation::service).distinct().count() > 1;
    for (Operation op : r.operations()) {
      String why = op.status() == Status.BROKEN ? op.problems().get(0)
          : op.status() == Status.DEPRECATED_USE ? op.deprecated().get(0) : "";
      out.printf(Locale.ROOT, "  %-14s %-" + width + "s  seen %-5d %s%s%n", op.status().wireName(), op.operation(),
          op.seen(), services ? "[" + op.service() + "] " : "", why);
    }
    for (Change c : r.changes().removed()) {
      out.println("  schema: removed " + c.coordinate() + (c.safe() ? " (safe: no recorded operation selects it)"
          : " (used by " + String.join(", ", c.usedBy()) + ")"));
    }
    for (Change c : r.changes().changed()) {
      out.println("  schema: changed " + c.coordinate() + " from " + c.before() + " to " + c.after()
          + (c.safe() ? " (safe: no recorded operation selects it)" : " (used by " + String.join(", ", c.usedBy()) + ")"));
    }
    long broken = r.count(Status.BROKEN);
    out.printf(Locale.ROOT, "graphql check %s: %d broken, %d deprecated-use, %d fine of %d operations (%d exchanges) against %s%n",
        broken > 0 ? "FAILED" : "pass", broken, r.count(Status.DEPRECATED_USE), r.count(Status.FINE), r.operations().size(),
        r.exchangesRead(), r.schema());
  }
}
