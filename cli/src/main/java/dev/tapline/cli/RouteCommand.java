package dev.tapline.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapline.core.api.ProxyAdminClient;
import dev.tapline.proxy.RouteSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tapline route}: reads and edits a capture proxy's routes through its admin API ({@code
 * list}, {@code get}, {@code set}, {@code remove}). {@code set} and {@code remove} change one part
 * of a route (its upstream, its override, one rule) and keep the rest.
 */
@Command(
    name = "route",
    mixinStandardHelpOptions = true,
    header = "Reads and edits a running proxy's routes: sandboxes, overrides, mock and fault rules.",
    description = "Reads and edits the routes of a running capture proxy through its admin API (--admin, as"
        + " tapline up and tapline proxy print it). A route sends the requests carrying one routing key to a sandbox;"
        + " it can also send them first to a developer's process (override), and answer or break them by method and"
        + " path (mock and fault rules). The first rule that matches a request takes it, then the route's override,"
        + " then its sandbox, or the baseline when it has none.%n",
    footer = {"", "Examples:",
      "  export TAPLINE_ADMIN=127.0.0.1:8079      # the proxy admin address up prints",
      "  tapline route set demo-v2 --override http://localhost:8000 --path '/orders/*'",
      "  tapline route set demo-v2 --path '/pay/*' --fault-status 503 --fault-share 0.2",
      "  tapline route set demo-v2 --path '/items/{id}' --mock-exchange latest",
      "  tapline route list",
      "  tapline route remove demo-v2 --path '/orders/*'"},
    subcommands = {RouteCommand.ListRoutes.class, RouteCommand.GetRoute.class, RouteCommand.SetRoute.class,
        RouteCommand.RemoveRoute.class})
final class RouteCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "list", mixinStandardHelpOptions = true, header = "Lists the proxy's routes.",
      description = "Lists the proxy's routes, one line each: the routing key, its sandbox (or the baseline), its"
          + " override and its rules in the order they are tried.")
  static final class ListRoutes implements Callable<Integer> {
    @Mixin ConfigOption config;
    @Mixin AdminOptions admin = new AdminOptions();
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      ProxyAdminClient client = admin.client();
      JsonNode routes = json(expect(admin(client::routes), "list the routes"));
      PrintWriter out = spec.commandLine().getOut();
      if (routes.isEmpty()) {
        out.println("no routes: every request goes to the baseline");
      }
      for (Map.Entry<String, JsonNode> e : routes.properties()) {
        out.println(e.getKey() + "  " + describe(e.getValue()));
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, header = "Prints one route as JSON.",
      description = "Prints one route as JSON, in the form PUT /routes/KEY takes it.")
  static final class GetRoute implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "KEY", description = "The routing key.")
    String key;

    @Mixin ConfigOption config;
    @Mixin AdminOptions admin = new AdminOptions();
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws JsonProcessingException {
      JsonNode route = json(expect(admin(() -> admin.client().route(key)), "read route \"" + key + "\""));
      PrintWriter out = spec.commandLine().getOut();
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(route));
      out.flush();
      return 0;
    }
  }

  @Command(name = "set", mixinStandardHelpOptions = true, sortOptions = false,
      header = "Sets a route's sandbox, its override, or one of its rules.",
      description = "Sets one part of a route and keeps the rest: its sandbox (--upstream), its override (--override"
          + " without --path), or one rule (--path, and --method, with what the rule does: --override, a mock or a"
          + " fault). A rule replaces the one with the same method and path, else it is tried first. When the key has"
          + " no route yet, this creates one; its requests then go to the baseline but for what its override and rules"
          + " take.%n")
  static final class SetRoute implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "KEY", description = "The routing key whose route to set.")
    String key;

    @Option(names = "--upstream", paramLabel = "URL",
        description = "Send the key's requests to the sandbox at URL (those no override or rule takes).")
    @Nullable String upstream;

    @Option(names = "--override", paramLabel = "URL",
        description = "Send requests first to URL, a developer's process (e.g. through a tunnel). Its answer is used"
            + " when it carries sd-override: true; otherwise, or when URL is down, the request goes on to the sandbox."
            + " With --path, for that path only.")
    @Nullable String override;

    @Option(names = "--except-status", paramLabel = "LIST", split = ",",
        description = "With --override: use the override's answer unless its status is one of these (e.g. 404,501),"
            + " with no header needed.")
    List<Integer> exceptStatus = new ArrayList<>();

    @Option(names = "--mock-status", paramLabel = "N",
        description = "Answer matching requests with this status, without any upstream (a mock rule).")
    @Nullable Integer mockStatus;

    @Option(names = "--mock-header", paramLabel = "'NAME: VALUE'",
        description = "A header of the mock's answer (repeatable).")
    List<String> mockHeaders = new ArrayList<>();

    @Option(names = "--mock-body", paramLabel = "TEXT", description = "The body of the mock's answer.")
    @Nullable String mockBody;

    @Option(names = "--mock-body-file", paramLabel = "FILE", description = "Read the body of the mock's answer from FILE.")
    @Nullable Path mockBodyFile;

    @Option(names = "--mock-exchange", paramLabel = "ID",
        description = "Answer with the response of this recorded exchange, or with 'latest' the newest recorded"
            + " response of the request's endpoint; the proxy reads it from the recorder.")
    @Nullable String mockExchange;

    @Option(names = "--fault-status", paramLabel = "N", description = "Answer matching requests with this status (a fault rule).")
    @Nullable Integer faultStatus;

    @Option(names = "--fault-delay", paramLabel = "DURATION",
        description = "Delay matching requests this long (e.g. 2s) before they go on, or before --fault-status or"
            + " --fault-reset.")
    @Nullable String faultDelay;

    @Option(names = "--fault-reset", description = "Reset the connection of matching requests.")
    boolean faultReset;

    @Option(names = "--fault-share", paramLabel = "FRACTION",
        description = "Apply the fault to this share of matching requests, above 0 up to 1 (default: 1); the others"
            + " go on to the next rule.")
    @Nullable Double faultShare;

    @Option(names = "--path", paramLabel = "GLOB",
        description = "Make a rule for this path: a glob (* within a segment, ** across, e.g. '/orders/**') or a"
            + " template ('/orders/{id}').")
    @Nullable String path;

    @Option(names = "--method", paramLabel = "METHOD", description = "With --path: only requests of this method.")
    @Nullable String method;

    @Mixin ConfigOption config;
    @Mixin AdminOptions admin = new AdminOptions();
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      ProxyAdminClient client = admin.client();
      RouteSpec current = current(client, key);
      RouteSpec.Action action = action();
      URI up = upstream == null ? current == null ? null : current.upstream() : Cli.httpOrigin("--upstream", upstream);
      RouteSpec.Override ov = current == null ? null : current.override();
      List<RouteSpec.Rule> rules = new ArrayList<>(current == null ? List.of() : current.rules());
      RouteSpec next;
      try {
        if (path == null) {
          if (method != null) {
            throw new UsageException("--method goes with --path: a rule needs the path it takes");
          }
          if (action != null && !(action instanceof RouteSpec.Override)) {
            throw new UsageException("a mock or a fault is a rule: give --path (e.g. --path '/**' for every request)");
          }
          if (action == null && upstream == null) {
            throw new UsageException("nothing to set: give --upstream, --override, or a rule (--path with --override,"
                + " --mock-status, --mock-exchange or a --fault-... flag)");
          }
          if (action != null) {
            ov = (RouteSpec.Override) action;
          }
        } else {
          if (action == null) {
            throw new UsageException("--path needs what the rule does: --override URL, --mock-status N, --mock-exchange"
                + " ID, --fault-status N, --fault-delay DURATION or --fault-reset");
          }
          RouteSpec.Rule rule = new RouteSpec.Rule(method, path, action);
          int same = indexOf(rules, rule.method(), rule.path());
          if (same >= 0) {
            rules.set(same, rule);
          } else {
            rules.add(0, rule);
          }
        }
        next = new RouteSpec(up, ov, rules);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage(), e);
      }
      ProxyAdminClient.Answer a = expect(admin(() -> client.put(key, routeJson(next))), "set route \"" + key + "\"");
      PrintWriter out = spec.commandLine().getOut();
      out.println((a.status() == 201 ? "added " : "set ") + key + "  " + describe(json(a)));
      out.flush();
      return 0;
    }

    private RouteSpec.@Nullable Action action() {
      List<RouteSpec.Action> actions = new ArrayList<>();
      try {
        if (override != null) {
          actions.add(new RouteSpec.Override(Cli.httpOrigin("--override", override), new LinkedHashSet<>(exceptStatus)));
        } else if (!exceptStatus.isEmpty()) {
          throw new UsageException("--except-status goes with --override");
        }
        if (mockExchange != null) {
          if (mockStatus != null || !mockHeaders.isEmpty() || mockBody != null || mockBodyFile != null) {
            throw new UsageException("--mock-exchange stands alone: the recorded response brings its status, headers"
                + " and body");
          }
          actions.add(new RouteSpec.Recorded(mockExchange.strip()));
        } else if (mockStatus != null) {
          actions.add(new RouteSpec.Mock(mockStatus, headers(), body()));
        } else if (!mockHeaders.isEmpty() || mockBody != null || mockBodyFile != null) {
          throw new UsageException("--mock-header and --mock-body go with --mock-status");
        }
        if (faultStatus != null || faultDelay != null || faultReset) {
          long delay = faultDelay == null ? 0 : Durations.parse("--fault-delay", faultDelay).toMillis();
          actions.add(new RouteSpec.Fault(faultStatus == null ? 0 : faultStatus, delay, faultReset,
              faultShare == null ? 1 : faultShare));
        } else if (faultShare != null) {
          throw new UsageException("--fault-share goes with --fault-status, --fault-delay or --fault-reset");
        }
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage(), e);
      }
      if (actions.size() > 1) {
        throw new UsageException("a rule does one thing: give an override, a mock or a fault, not several");
      }
      return actions.isEmpty() ? null : actions.get(0);
    }

    private Map<String, String> headers() {
      Map<String, String> h = new LinkedHashMap<>();
      for (String s : mockHeaders) {
        int colon = s.indexOf(':');
        if (colon <= 0) {
          throw new UsageException("--mock-header must be 'NAME: VALUE', got '" + s + "'");
        }
        h.put(s.substring(0, colon).strip(), s.substring(colon + 1).strip());
      }
      return h;
    }

    private String body() {
      if (mockBody != null && mockBodyFile != null) {
        throw new UsageException("--mock-body and --mock-body-file exclude each other");
      }
      if (mockBodyFile != null) {
        try {
          return Files.readString(mockBodyFile);
        } catch (IOException e) {
          throw new UsageException("--mock-body-file cannot be read: " + mockBodyFile + " (" + e.getMessage() + ")", e);
        }
      }
      return mockBody == null ? "" : mockBody;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      header = "Removes a route, one of its rules, or its override.",
      description = "Removes a route, so that its requests go to the baseline again; with --path (and --method), only"
          + " that rule, and with --override, only the route's override. Removing a route that is not there says so"
          + " and is not an error.%n")
  static final class RemoveRoute implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "KEY", description = "The routing key whose route to change.")
    String key;

    @Option(names = "--path", paramLabel = "GLOB", description = "Remove only the rule for this path (every method's,"
        + " unless --method names one).")
    @Nullable String path;

    @Option(names = "--method", paramLabel = "METHOD", description = "With --path: only the rule for this method.")
    @Nullable String method;

    @Option(names = "--override", description = "Remove only the route's own override (not those of its rules).")
    boolean override;

    @Mixin ConfigOption config;
    @Mixin AdminOptions admin = new AdminOptions();
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      ProxyAdminClient client = admin.client();
      PrintWriter out = spec.commandLine().getOut();
      if (method != null && path == null) {
        throw new UsageException("--method goes with --path");
      }
      if (path == null && !override) {
        ProxyAdminClient.Answer a = admin(() -> client.delete(key));
        if (a.status() == 404) {
          out.println("no route for " + key + ": nothing removed; its requests go to the baseline");
        } else {
          expect(a, "remove route \"" + key + "\"");
          out.println("removed " + key + ": its requests go to the baseline");
        }
        out.flush();
        return 0;
      }
      RouteSpec current = current(client, key);
      if (current == null) {
        throw new UsageException("no route for routing key \"" + key + "\"");
      }
      List<RouteSpec.Rule> rules = new ArrayList<>(current.rules());
      if (path != null) {
        String m = method == null ? null : method.strip().toUpperCase(java.util.Locale.ROOT);
        boolean removed = rules.removeIf(r -> r.path().equals(path) && (m == null || m.equals(r.method())));
        if (!removed) {
          throw new UsageException("route " + key + " has no rule for " + (m == null ? "" : m + " ") + path + ": "
              + current.describe());
        }
      }
      if (override && current.override() == null) {
        throw new UsageException("route " + key + " has no override: " + current.describe());
      }
      RouteSpec next = new RouteSpec(current.upstream(), override ? null : current.override(), rules);
      if (next.upstream() == null && next.override() == null && next.rules().isEmpty()) {
        expect(admin(() -> client.delete(key)), "remove route \"" + key + "\"");
        out.println("removed " + key + ": nothing was left of it; its requests go to the baseline");
      } else {
        ProxyAdminClient.Answer a = expect(admin(() -> client.put(key, routeJson(next))), "set route \"" + key + "\"");
        out.println("set " + key + "  " + describe(json(a)));
      }
      out.flush();
      return 0;
    }
  }

  // ---- shared by the subcommands ----

  private interface AdminCall {
    ProxyAdminClient.Answer send() throws IOException;
  }

  private static ProxyAdminClient.Answer admin(AdminCall c) {
    try {
      return c.send();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage() + "; is the proxy running, and is --admin its admin address?", e);
    }
  }

  /** The answer when it is a success; else one line with the proxy's own error (exit 2 for what it refused). */
  private static ProxyAdminClient.Answer expect(ProxyAdminClient.Answer a, String what) {
    if (a.ok()) {
      return a;
    }
    JsonNode n = null;
    try {
      n = a.body().isBlank() ? null : JSON.readTree(a.body());
    } catch (JsonProcessingException e) {
      // not JSON: shown as it is
    }
    String said = n != null && n.has("detail") ? n.path("error").asText() + ": " + n.path("detail").asText()
        : a.body().strip();
    String msg = "the proxy did not " + what + ": HTTP " + a.status() + " " + said;
    if (a.status() == 401) {
      msg += " (give the admin port's token with --token or --token-file)";
    }
    if (a.status() / 100 == 4) {
      throw new UsageException(msg);
    }
    throw new IllegalStateException(msg);
  }

  private static @Nullable RouteSpec current(ProxyAdminClient client, String key) {
    ProxyAdminClient.Answer a = admin(() -> client.route(key));
    if (a.status() == 404) {
      return null;
    }
    return RouteSpec.fromJson(json(expect(a, "read route \"" + key + "\"")));
  }

  private static int indexOf(List<RouteSpec.Rule> rules, @Nullable String method, String path) {
    for (int i = 0; i < rules.size(); i++) {
      RouteSpec.Rule r = rules.get(i);
      if (r.path().equals(path) && Objects.equals(r.method(), method)) {
        return i;
      }
    }
    return -1;
  }

  private static JsonNode json(ProxyAdminClient.Answer a) {
    try {
      return JSON.readTree(a.body());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the proxy's admin API answered something that is not JSON: "
          + a.body().substring(0, Math.min(200, a.body().length())), e);
    }
  }

  private static String routeJson(RouteSpec spec) {
    try {
      return JSON.writeValueAsString(spec.toJson());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String describe(JsonNode route) {
    try {
      return RouteSpec.fromJson(route).describe();
    } catch (IllegalArgumentException e) {
      return route.toString();
    }
  }
}
