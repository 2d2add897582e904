package dev.tapline.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeReader;
import dev.tapline.core.auth.AuthFlows;
import dev.tapline.core.auth.CredentialSource;
import dev.tapline.core.auth.MissingCredentialsException;
import dev.tapline.mcp.ToolSpec.Hints;
import dev.tapline.mcp.ToolSpec.Reply;
import dev.tapline.replay.DriftClass;
import dev.tapline.replay.DriftReport;
import dev.tapline.replay.ExchangeSource;
import dev.tapline.replay.FailOn;
import dev.tapline.replay.IgnoreRule;
import dev.tapline.replay.ReplayAuth;
import dev.tapline.replay.ReplayInputException;
import dev.tapline.replay.ReplayListener;
import dev.tapline.replay.ReplayOptions;
import dev.tapline.replay.Replayer;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code check_drift}: replays recorded requests against a baseline and a sandbox (replay's {@link
 * Replayer}) and returns the verdict, breaking differences first, each with its JSON path and what
 * changed.
 */
final class DriftTool {
  static final int DEFAULT_MAX_EXCHANGES = 300;
  static final int MAX_EXCHANGES = 5000;
  private static final int MAX_LISTED = 40;
  private static final int MAX_IGNORED_LISTED = 8;

  private final Recorder recorder;

  DriftTool(Recorder recorder) {
    this.recorder = recorder;
  }

  ToolSpec tool() {
    InputSchema in = InputSchema.object()
        .string("service", "Replay this service's recorded requests, e.g. orders.")
        .string("query", "A Lucene query selecting the recorded requests to replay, e.g. `service:orders AND"
            + " target:baseline` (ANDed with service when both are given).")
        .string("baseline", "Base URL of the baseline (the version in production), e.g. http://127.0.0.1:8081;"
            + " with sandbox.")
        .string("sandbox", "Base URL of the sandbox (the version under change), e.g. http://127.0.0.1:8082; with baseline.")
        .string("target", "One URL for both sides, e.g. the capture proxy http://127.0.0.1:8080: requests without"
            + " the routing key reach the baseline, with it the sandbox; with routingKey.")
        .string("routingKey", "The sandbox's routing key, sent as sd-routing-key and baggage; with target.")
        .enumeration("failOn", "The lowest class of difference that makes the verdict drift (default breaking).",
            List.of("breaking", "compatible", "none"))
        .strings("methods", "Request methods to replay (default GET, HEAD, OPTIONS). Others change data on the"
            + " baseline: add POST or PATCH only when the baseline is yours to change.")
        .strings("ignore", "Paths to leave out of the comparison: a JSON path ($.meta.requestId), header:Name, or"
            + " METHOD /template:path (GET /orders/{orderId}:$.updatedAt).")
        .integer("maxExchanges", "Replay at most this many of the matching exchanges, oldest first: 1 to "
            + MAX_EXCHANGES + " (default " + DEFAULT_MAX_EXCHANGES + ").", 1, MAX_EXCHANGES)
        .string("authCommand", "Log in by running this shell command once per side (and again after a 401); it must"
            + " print one header such as 'Authorization: Bearer ...', and finds TAPLINE_AUTH_SIDE and"
            + " TAPLINE_AUTH_BASE_URL in its environment.");
    AuthArgs.add(in, "How each side logs in: none (the default); recorded, the way the recording did, by the login its"
        + " keyed hashes link to later requests' credentials, with credentials from the MCP server's TAPLINE_AUTH_*"
        + " variables; or client-credentials, the OAuth2 grant with tokenUrl, clientId and clientSecretEnv. A request"
        + " answered 401 logs in again and is sent once more; recorded credentials are never sent.");
    return ToolSpec.of("check_drift", "Check contract drift",
        "Replays recorded requests against a baseline and a sandbox (each request twice to the baseline, once to"
            + " the sandbox) and reports how the sandbox's responses differ: the verdict (pass, drift, or error when a"
            + " side failed), then breaking differences (field removed or renamed, type changed, now null, status"
            + " class changed) before compatible ones, each with its endpoint, JSON path and a one-line explanation."
            + " Noise such as ids and timestamps is ignored. Use it after changing a service to see whether its"
            + " clients would break. Only safe methods are replayed unless methods says otherwise.",
        in, new Hints(true, false, true, true), this::check);
  }

  private Reply check(Args a) {
    String service = a.string("service");
    String query = a.string("query");
    if (service == null && query == null) {
      throw new ToolError("check_drift needs service or query to choose the recorded requests to replay, e.g."
          + " service \"orders\" (list_endpoints shows the services).");
    }
    ReplayOptions options = options(a);
    String q = Query.of(query, service, null, null);
    options = withAuth(a, options, q);
    int max = a.integer("maxExchanges", DEFAULT_MAX_EXCHANGES, 1, MAX_EXCHANGES);
    DriftReport report;
    Capped source = new Capped(ExchangeSource.of(export(q)), max);
    try (source) {
      report = Replayer.create(options).replay(source, ReplayListener.none());
    } catch (ReplayInputException e) {
      if (e.getCause() instanceof MissingCredentialsException) {
        throw new ToolError("Logging in needs credentials the MCP server does not have: " + e.getMessage()
            + ". Set them in its environment and start it again.");
      }
      if (source.read > 0) {
        throw new ToolError("Replay stopped at bad input after " + Text.count(source.read, "exchange") + ": "
            + e.getMessage() + ".");
      }
      throw new ToolError("Nothing was replayed: " + e.getMessage() + ".\n" + recorder.whyEmpty(service, null, null).text());
    }
    return render(report, q, source, options);
  }

  /** The options with how each side logs in; the recording's logins are found by reading it once first. */
  private ReplayOptions withAuth(Args a, ReplayOptions options, @Nullable String q) {
    String mode = AuthArgs.mode(a, AuthArgs.NONE);
    String command = a.string("authCommand");
    if (command != null && !mode.equals(AuthArgs.NONE)) {
      throw new ToolError("give one way to log in: auth or authCommand, not both.");
    }
    ReplayAuth auth;
    if (command != null) {
      auth = ReplayAuth.command(command);
    } else if (mode.equals(AuthArgs.RECORDED)) {
      AuthFlows flows;
      try (ExchangeSource first = ExchangeSource.of(export(q))) {
        flows = ReplayAuth.scan(first, options.endpoints());
      } catch (ReplayInputException e) {
        throw new ToolError("Reading the recording for its logins failed: " + e.getMessage() + ".");
      }
      if (flows.isEmpty()) {
        throw new ToolError("auth \"recorded\" found no login in the recording: no recorded response issued a credential"
            + " that a later request presented. Record through the proxy with a redaction key (tapline up keeps one;"
            + " tapline proxy --redact-key-file), and make query select the login requests too.");
      }
      auth = ReplayAuth.fromRecording(flows, CredentialSource.system());
    } else if (mode.equals(dev.tapline.core.auth.ClientCredentials.NAME)) {
      auth = ReplayAuth.clientCredentials(AuthArgs.clientCredentials(a), CredentialSource.system());
    } else {
      return options;
    }
    return options.toBuilder().auth(auth).build();
  }

  private ExchangeReader export(@Nullable String q) {
    try {
      return recorder.client.export(q);
    } catch (IOException e) {
      throw recorder.failure(e, q);
    }
  }

  private static ReplayOptions options(Args a) {
    String baseline = a.string("baseline");
    String sandbox = a.string("sandbox");
    String target = a.string("target");
    String routingKey = a.string("routingKey");
    ReplayOptions.Builder b = ReplayOptions.builder();
    boolean twoUrls = baseline != null || sandbox != null;
    boolean routed = target != null || routingKey != null;
    if (twoUrls == routed) {
      throw new ToolError("check_drift needs either baseline and sandbox (two URLs), or target and routingKey (one URL,"
          + " e.g. the capture proxy, and the sandbox's routing key).");
    }
    try {
      if (twoUrls) {
        if (baseline == null || sandbox == null) {
          throw new ToolError(baseline == null ? "sandbox needs baseline too (the URL of the version in production)."
              : "baseline needs sandbox too (the URL of the version under change).");
        }
        b.baselineAndSandbox(url("baseline", baseline), url("sandbox", sandbox));
      } else {
        if (target == null || routingKey == null) {
          throw new ToolError(target == null ? "routingKey needs target too (the URL both sides are reached through)."
              : "target needs routingKey too (the sandbox's routing key, e.g. pr-42).");
        }
        b.target(url("target", target), routingKey);
      }
      String failOn = a.string("failOn");
      if (failOn != null) {
        b.failOn(FailOn.parse(failOn));
      }
      List<String> methods = a.strings("methods");
      if (!methods.isEmpty()) {
        Set<String> m = new LinkedHashSet<>();
        methods.forEach(x -> m.add(x.toUpperCase(Locale.ROOT)));
        b.methods(m);
      }
      for (String rule : a.strings("ignore")) {
        b.addIgnore(IgnoreRule.parse(rule));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ToolError(e.getMessage().replace("--fail-on", "failOn").replace("--", "") + ".");
    }
  }

  private static URI url(String name, String value) {
    try {
      URI u = new URI(value);
      if (u.getScheme() == null || u.getHost() == null) {
        throw new URISyntaxException(value, "expected http(s)://host:port");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new ToolError(name + " must be an http(s) URL like http://127.0.0.1:8080, got \"" + value + "\".");
    }
  }

  private static Reply render(DriftReport r, @Nullable String q, Capped source, ReplayOptions options) {
    StringBuilder out = new StringBuilder();
    DriftReport.Counts c = r.counts();
    String verdict = switch (r.verdict()) {
      case DriftReport.Pass p -> "PASS: nothing at or above " + r.failOn().wireName() + " ("
          + c.breaking() + " breaking, " + c.compatible() + " compatible)";
      case DriftReport.Drift d -> "DRIFT: " + d.breaking() + " breaking, " + d.compatible() + " compatible (fails on "
          + r.failOn().wireName() + ")";
      case DriftReport.TargetFailure f -> "ERROR: the comparison cannot be trusted: " + f.reason();
    };
    out.append(verdict).append('\n');
    out.append("Baseline ").append(r.baseline()).append(" vs sandbox ").append(r.sandbox())
        .append(r.routingKey() == null ? "" : " (routing key " + r.routingKey() + ")").append(": ")
        .append(Text.count(c.exchanges(), "exchange")).append(" replayed over ").append(Text.count(c.endpoints(), "endpoint"));
    if (r.skipped() > 0) {
      out.append(", ").append(r.skipped()).append(" skipped (methods replayed: ")
          .append(String.join(", ", options.methods().stream().sorted().toList())).append("; see methods)");
    }
    out.append(", from ").append(Query.show(q));
    if (source.capped) {
      out.append(" (the first ").append(source.max).append(" only: narrow the query or raise maxExchanges)");
    }
    out.append(".\n");
    for (DriftClass cls : List.of(DriftClass.BREAKING, DriftClass.COMPATIBLE)) {
      List<String> lines = new ArrayList<>();
      for (DriftReport.EndpointReport ep : r.endpoints()) {
        for (DriftReport.Difference d : ep.differences()) {
          if (d.driftClass() == cls) {
            lines.add(ep.name() + "  " + d.path() + "  " + d.kind().wireName() + ": " + d.message()
                + values(d) + "  (exchange " + d.exchangeId() + ")");
          }
        }
      }
      if (!lines.isEmpty()) {
        out.append('\n').append(cls == DriftClass.BREAKING ? "Breaking" : "Compatible").append(" (").append(lines.size())
            .append("):\n");
        lines.stream().limit(MAX_LISTED).forEach(l -> out.append("  ").append(l).append('\n'));
        if (lines.size() > MAX_LISTED) {
          out.append("  ... ").append(lines.size() - MAX_LISTED).append(" more\n");
        }
      }
    }
    List<String> ignored = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (DriftReport.EndpointReport ep : r.endpoints()) {
      ep.ignored().forEach(i -> ignored.add(i.path() + " (" + i.reason() + ")"));
      ep.errors().forEach(e -> errors.add(ep.name() + ": " + e));
    }
    if (!errors.isEmpty()) {
      out.append("\nRequests that failed (").append(errors.size()).append("):\n");
      errors.stream().limit(MAX_LISTED).forEach(e -> out.append("  ").append(Text.line(e, 300)).append('\n'));
    }
    if (!ignored.isEmpty()) {
      out.append("\nIgnored as noise: ").append(Text.count(ignored.size(), "path")).append(", e.g. ")
          .append(String.join("; ", ignored.subList(0, Math.min(MAX_IGNORED_LISTED, ignored.size())))).append('\n');
    }
    if (c.breaking() + c.compatible() > 0 || !errors.isEmpty()) {
      out.append("\nget_exchange with an exchange id shows the recorded request and response behind a line above.");
    }
    return new Reply(out.toString().stripTrailing(), r.verdict() instanceof DriftReport.TargetFailure);
  }

  private static String values(DriftReport.Difference d) {
    if (d.baseline() == null && d.sandbox() == null) {
      return "";
    }
    return " [baseline " + json(d.baseline()) + ", sandbox " + json(d.sandbox()) + "]";
  }

  private static String json(@Nullable JsonNode n) {
    return n == null ? "absent" : Text.line(n.toString(), 60);
  }

  /** At most {@code max} exchanges of a source; remembers whether there were more. */
  private static final class Capped implements ExchangeSource {
    private final ExchangeSource in;
    private final int max;
    int read;
    boolean capped;

    Capped(ExchangeSource in, int max) {
      this.in = in;
      this.max = max;
    }

    @Override
    public @Nullable Exchange next() {
      if (read == max) {
        capped = capped || in.next() != null;
        return null;
      }
      Exchange e = in.next();
      if (e != null) {
        read++;
      }
      return e;
    }

    @Override
    public String describe() {
      return in.describe();
    }

    @Override
    public void close() {
      in.close();
    }
  }
}
