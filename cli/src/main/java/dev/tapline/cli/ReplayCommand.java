package dev.tapline.cli;

import dev.tapline.core.auth.AuthFlows;
import dev.tapline.core.auth.CredentialSource;
import dev.tapline.core.endpoint.Endpoints;
import dev.tapline.core.endpoint.OpenApiSpec;
import dev.tapline.core.kafka.KafkaSettings;
import dev.tapline.core.kafka.Topics;
import dev.tapline.replay.DriftPublisher;
import dev.tapline.replay.DriftReport;
import dev.tapline.replay.ExchangeSource;
import dev.tapline.replay.FailOn;
import dev.tapline.replay.IgnoreRule;
import dev.tapline.replay.ReplayAuth;
import dev.tapline.replay.ReplayInputException;
import dev.tapline.replay.ReplayListener;
import dev.tapline.replay.ReplayOptions;
import dev.tapline.replay.Replayer;
import dev.tapline.replay.ReportWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapline replay}: the CI drift check, sandbox against baseline. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Replays recorded requests against a baseline and a sandbox and reports contract drift.",
    description = {
      "Each request goes twice to the baseline and once to the sandbox. What differs",
      "between the two baseline answers (or from the recorded one) is noise - ids,",
      "timestamps, reordered sets - and is reported as ignored. Other differences are",
      "breaking (field removed or renamed, type changed, now null, status class",
      "changed, endpoint gone, content type changed) or compatible (field added, new",
      "enum-like value, optional header added). Rules: docs/DRIFT.md.",
      "",
      "Only safe methods (GET, HEAD, OPTIONS) are replayed unless --methods names",
      "others: the baseline is shared, and replaying a POST or DELETE there changes",
      "other people's data. GraphQL queries are replayed whatever their method and",
      "reported per operation (mutations only with --methods POST; docs/GRAPHQL.md).",
      "Recorded credentials are redacted and never replayed; pass real ones with --header, or",
      "log in on each side with --auth-from-recording (the way the recording did),",
      "--auth-command CMD or --auth client-credentials.",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no difference at or above --fail-on",
      "1:drift found",
      "2:bad usage or unreadable input",
      "3:a target was unreachable or failed most requests (connection errors or 5xx on more than half)"
    },
    footer = {"", "Examples:",
      "  tapline replay --from exchanges.ndjson \\",
      "      --baseline http://orders-v1:8080 --sandbox http://orders-v2:8080",
      "  tapline replay --from http://recorder:7070 --query 'service:orders' \\",
      "      --target http://ingress:8080 --routing-key pr-123 \\",
      "      --header \"Authorization: Bearer $TOKEN\"",
      "  TAPLINE_AUTH_PASSWORD=... tapline replay --from http://recorder:7070 \\",
      "      --query 'service:notes' --target http://ingress:8080 --routing-key pr-123 \\",
      "      --auth-from-recording"})
final class ReplayCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Spec CommandSpec spec;

  @Option(names = "--from", paramLabel = "URL|FILE",
      description = "Recorded exchanges: an NDJSON file, or a recorder URL (reads <URL>/api/export?q=QUERY).")
  @Nullable String from;

  @Option(names = "--query", paramLabel = "Q", description = "Recorder query selecting the exchanges (Lucene syntax), with a recorder URL.")
  @Nullable String query;

  @Mixin RecorderToken token = new RecorderToken();

  @Option(names = "--origin", paramLabel = "LIST", defaultValue = "live",
      description = "Whose recorded requests to replay: live (default: users' traffic only), replay, test, verify,"
          + " a comma list, or all. Replay marks its own requests with tapline-origin: replay.")
  String origin;

  @Option(names = "--openapi", paramLabel = "FILE",
      description = "OpenAPI 3 document: its paths name the endpoints in the reports (as the recorder and generate do).")
  @Nullable Path openApi;

  @Mixin GraphqlPaths graphqlPaths = new GraphqlPaths();

  @Option(names = "--baseline", paramLabel = "URL", description = "Baseline URL (with --sandbox).")
  @Nullable String baseline;

  @Option(names = "--sandbox", paramLabel = "URL", description = "Sandbox URL (with --baseline).")
  @Nullable String sandbox;

  @Option(names = "--target", paramLabel = "URL",
      description = "One URL for both sides (with --routing-key): the baseline without the key, the sandbox with it.")
  @Nullable String target;

  @Option(names = "--routing-key", paramLabel = "K",
      description = "Sandbox routing key, sent as 'baggage: sd-routing-key=K' and 'sd-routing-key: K' (with --target).")
  @Nullable String routingKey;

  @Option(names = "--report-dir", paramLabel = "DIR", defaultValue = "tapline-reports",
      description = "Where junit.xml, summary.md, report.html and drift.json go (default: ${DEFAULT-VALUE}).")
  Path reportDir;

  @Option(names = "--fail-on", paramLabel = "breaking|compatible|none", defaultValue = "breaking",
      description = "Lowest difference class that fails the run (default: ${DEFAULT-VALUE}).")
  String failOn;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8",
      description = "Exchanges replayed at once, 3 requests each (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--rate", paramLabel = "RPS", defaultValue = "0",
      description = "At most this many requests per second over both targets; 0 for no limit (default).")
  double rate;

  @Option(names = "--header", paramLabel = "'NAME: VALUE'",
      description = "Header sent with every request, replacing a recorded one of the same name (e.g. real credentials). Repeatable.")
  List<String> headers = new ArrayList<>();

  @Option(names = "--auth-from-recording",
      description = "Log in on each side the way the recording did: the login it links (by the keyed hashes of"
          + " redaction) to the credentials later requests presented is performed with credentials from tapline.auth.*"
          + " system properties or TAPLINE_AUTH_* environment variables, what it answers is presented the same way, and"
          + " a request answered 401 logs in again and is sent once more. Recorded credentials are never sent.")
  boolean authFromRecording;

  @Option(names = "--auth-command", paramLabel = "CMD",
      description = "Log in by running CMD (with sh -c) once per side, and again after a 401: it must print one header,"
          + " such as 'Authorization: Bearer ...', on its first line, and finds TAPLINE_AUTH_SIDE (baseline or sandbox),"
          + " TAPLINE_AUTH_BASE_URL and, for a routed sandbox, TAPLINE_AUTH_ROUTING_KEY in its environment. The header"
          + " goes on every request whose recording presented a header of that name.")
  @Nullable String authCommand;

  @Mixin AuthOptions auth = new AuthOptions();

  @Option(names = "--methods", paramLabel = "METHOD", split = ",", defaultValue = "GET,HEAD,OPTIONS",
      description = "Methods to replay (default: ${DEFAULT-VALUE}). Others change data on the shared baseline.")
  List<String> methods = new ArrayList<>();

  @Option(names = "--ignore", paramLabel = "PATH",
      description = "Leave a path out: a JSON path ($.meta.requestId), header:Name, or METHOD /template:path (GET /orders/{orderId}:$.updatedAt). Repeatable.")
  List<String> ignores = new ArrayList<>();

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "Per-request timeout (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--kafka", paramLabel = "BOOTSTRAP", description = "Also publish drift.json to Kafka for the UI.")
  @Nullable String kafka;

  @Mixin KafkaOptions kafkaOptions = new KafkaOptions();

  @Option(names = "--drift-topic", paramLabel = "T", defaultValue = Topics.DRIFT,
      description = "Publish drift.json to this topic when --kafka is given (default: ${DEFAULT-VALUE}).")
  String driftTopic;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ReplayOptions options = options();
    Duration perRequest = options.timeout();
    if (from == null || from.isBlank()) {
      throw new UsageException("--from is required: an NDJSON file or a recorder URL");
    }
    Progress progress = Progress.to(err);
    ReplayListener listener = p -> progress.show(() -> String.format(Locale.ROOT,
        "replay: %d exchanges compared (%.0f/s), %d with differences, %d failed, %d skipped",
        p.replayed(), p.perSecond(), p.withDifferences(), p.failed(), p.skipped()));
    DriftReport report;
    try {
      options = withAuth(options, perRequest, err);
    } catch (ReplayInputException e) {
      throw new UsageException(e.getMessage(), e);
    }
    try (ExchangeSource src = ExchangeSource.open(from, query, token.value(), perRequest)) {
      report = Replayer.create(options).replay(src, listener);
    } catch (ReplayInputException e) {
      progress.done();
      throw new UsageException(e.getMessage(), e);
    }
    progress.done();
    try {
      ReportWriter.writeAll(report, reportDir);
    } catch (IOException e) {
      throw new UsageException("cannot write reports to " + reportDir + ": " + e.getMessage(), e);
    }
    KafkaSettings kafkaSettings = kafkaOptions.settings(kafka);
    if (kafkaSettings != null) {
      try {
        DriftPublisher.publish(kafkaSettings, driftTopic, report, Duration.ofSeconds(10));
      } catch (IllegalStateException e) {
        err.println("tapline replay: warning: " + e.getMessage());
      }
    }
    for (DriftReport.EndpointReport ep : report.endpoints()) {
      for (DriftReport.Difference d : ep.differences()) {
        out.printf(Locale.ROOT, "  %-10s %s  %s  %s%n", d.driftClass().wireName(), ep.name(), d.path(), d.message());
      }
    }
    if (report.verdict() instanceof DriftReport.TargetFailure f) {
      err.println("tapline replay: " + f.reason());
    }
    out.println(summary(report));
    out.flush();
    err.flush();
    return report.exitCode();
  }

  /** The options with how each side logs in; the recording's logins are found by reading it once first. */
  private ReplayOptions withAuth(ReplayOptions options, Duration perRequest, PrintWriter err) {
    String mode = auth.mode(authFromRecording ? AuthOptions.RECORDED : AuthOptions.NONE);
    int chosen = (mode.equals(AuthOptions.NONE) ? 0 : 1) + (authCommand != null ? 1 : 0)
        + (authFromRecording && !mode.equals(AuthOptions.RECORDED) ? 1 : 0);
    if (chosen > 1) {
      throw new UsageException("give one way to log in: --auth-from-recording, --auth-command CMD or --auth client-credentials");
    }
    if (authCommand != null) {
      if (authCommand.isBlank()) {
        throw new UsageException("--auth-command must not be empty");
      }
      return options.toBuilder().auth(ReplayAuth.command(authCommand)).build();
    }
    return switch (mode) {
      case AuthOptions.NONE -> options;
      case AuthOptions.RECORDED -> {
        AuthFlows flows;
        try (ExchangeSource first = ExchangeSource.open(from, query, token.value(), perRequest)) {
          flows = ReplayAuth.scan(first, options.endpoints());
        }
        err.println("tapline replay: logging in like " + (flows.isEmpty() ? "nothing (no login found)"
            : String.join(", ", flows.flows().stream().map(f -> f.display() + " (" + f.uses() + " requests)").toList())));
        yield options.toBuilder().auth(ReplayAuth.fromRecording(flows, CredentialSource.system())).build();
      }
      default -> options.toBuilder().auth(ReplayAuth.clientCredentials(auth.clientCredentials(), CredentialSource.system()))
          .build();
    };
  }

  private String summary(DriftReport r) {
    long ms = Duration.between(r.startedAt(), r.finishedAt()).toMillis();
    String head = switch (r.verdict()) {
      case DriftReport.Pass p -> "pass";
      case DriftReport.Drift d -> "DRIFT";
      case DriftReport.TargetFailure f -> "ERROR";
    };
    return String.format(Locale.ROOT,
        "replay %s: %d breaking, %d compatible, %d ignored across %d endpoint%s (%d exchange%s%s) in %.1fs; reports in %s",
        head, r.counts().breaking(), r.counts().compatible(), r.counts().ignored(), r.counts().endpoints(),
        r.counts().endpoints() == 1 ? "" : "s", r.counts().exchanges(), r.counts().exchanges() == 1 ? "" : "s", r.skipped() > 0 ? ", " + r.skipped() + " skipped" : "", ms / 1000.0, reportDir);
  }

  ReplayOptions options() {
    ReplayOptions.Builder b = ReplayOptions.builder();
    boolean twoUrls = baseline != null || sandbox != null;
    boolean routed = target != null || routingKey != null;
    if (twoUrls == routed) {
      throw new UsageException("give either --baseline URL and --sandbox URL, or --target URL and --routing-key K");
    }
    if (twoUrls) {
      if (baseline == null || sandbox == null) {
        throw new UsageException(baseline == null ? "--sandbox needs --baseline URL" : "--baseline needs --sandbox URL");
      }
      b.baselineAndSandbox(Cli.httpUri("--baseline", baseline), Cli.httpUri("--sandbox", sandbox));
    } else {
      if (target == null || routingKey == null || routingKey.isBlank()) {
        throw new UsageException(target == null ? "--routing-key needs --target URL" : "--target needs --routing-key K");
      }
      b.target(Cli.httpUri("--target", target), routingKey);
    }
    try {
      b.failOn(FailOn.parse(failOn));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (concurrency < 1 || concurrency > 1024) {
      throw new UsageException("--concurrency must be from 1 to 1024, got " + concurrency);
    }
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new UsageException("--rate must be 0 (no limit) or a positive number of requests per second, got " + rate);
    }
    b.concurrency(concurrency).rate(rate);
    for (String h : headers) {
      int colon = h.indexOf(':');
      String name = colon < 0 ? "" : h.substring(0, colon).trim();
      if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
        throw new UsageException("--header must look like 'Name: value', got '" + h + "'");
      }
      b.addHeader(name, h.substring(colon + 1).trim());
    }
    LinkedHashSet<String> m = new LinkedHashSet<>();
    for (String s : methods) {
      String u = s.trim().toUpperCase(Locale.ROOT);
      if (u.isEmpty() || !u.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
        throw new UsageException("--methods takes HTTP method names like GET,HEAD, got '" + s + "'");
      }
      m.add(u);
    }
    if (m.isEmpty()) {
      throw new UsageException("--methods must name at least one method");
    }
    b.methods(m);
    for (String i : ignores) {
      try {
        b.addIgnore(IgnoreRule.parse(i));
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    Duration t = Durations.parse("--timeout", timeout);
    if (t.isZero() || t.isNegative()) {
      throw new UsageException("--timeout must be positive, got '" + timeout + "'");
    }
    b.timeout(t);
    try {
      b.origins(dev.tapline.core.Origin.parseList(origin));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--origin: " + e.getMessage(), e);
    }
    OpenApiSpec spec = null;
    if (openApi != null) {
      try {
        spec = OpenApiSpec.load(openApi);
      } catch (OpenApiSpec.InvalidSpecException e) {
        throw new UsageException("--openapi " + e.getMessage(), e);
      }
    }
    b.endpoints(Endpoints.withSpec(spec, graphqlPaths.resolver()));
    return b.build();
  }
}
