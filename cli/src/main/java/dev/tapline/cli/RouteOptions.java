package dev.tapline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tapline.proxy.RouteSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Mixin for the commands that start a capture proxy ({@code proxy}, {@code up}): the routes it
 * starts with, from {@code --routes FILE}, {@code --sandbox KEY=URL} and {@code --override
 * KEY=URL}, and the header by which an override keeps its answer.
 */
final class RouteOptions {
  @Option(names = "--sandbox", paramLabel = "KEY=URL", split = ",",
      description = "Route requests carrying routing key KEY to the sandbox at URL (repeatable).")
  List<String> sandboxes = new ArrayList<>();

  @Option(names = "--override", paramLabel = "KEY=URL", split = ",",
      description = "Send requests carrying routing key KEY first to URL, a developer's process (e.g. through a tunnel)."
          + " Its answer is used when it carries the override header (sd-override: true); otherwise, or when URL is"
          + " down, the request goes on to KEY's sandbox, or to the baseline when KEY has none (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--routes", paramLabel = "FILE",
      description = "Start with the routes in this JSON or YAML file, which maps each routing key to what PUT"
          + " /routes/KEY takes (upstream, override, rules with override, mock and fault). --sandbox and --override"
          + " add to them.")
  @Nullable Path routesFile;

  @Option(names = "--override-header", paramLabel = "NAME", defaultValue = "sd-override",
      description = "The response header by which an override says, with the value true, that its answer is the one"
          + " to use (default: ${DEFAULT-VALUE}).")
  String overrideHeader = "sd-override";

  /** The routes to start with: {@code fixed} upstreams (the demo's), then the file, then the flags. */
  Map<String, RouteSpec> routes(Map<String, URI> fixed) {
    try {
      return merged(fixed);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }

  private Map<String, RouteSpec> merged(Map<String, URI> fixed) {
    Map<String, RouteSpec> out = new LinkedHashMap<>();
    fixed.forEach((k, v) -> out.put(k, RouteSpec.to(v)));
    if (routesFile != null) {
      out.putAll(read(routesFile));
    }
    for (String s : sandboxes) {
      KeyUrl kv = keyUrl("--sandbox", s);
      RouteSpec old = out.get(kv.key());
      out.put(kv.key(), old == null ? RouteSpec.to(kv.url()) : new RouteSpec(kv.url(), old.override(), old.rules()));
    }
    for (String s : overrides) {
      KeyUrl kv = keyUrl("--override", s);
      RouteSpec old = out.get(kv.key());
      RouteSpec.Override o;
      try {
        o = new RouteSpec.Override(kv.url());
      } catch (IllegalArgumentException e) {
        throw new UsageException("--override " + kv.key() + ": " + e.getMessage(), e);
      }
      out.put(kv.key(), old == null ? new RouteSpec(null, o, List.of()) : old.withOverride(o));
    }
    return out;
  }

  /** True when no flag names a route (the file may still). */
  boolean noFlags() {
    return sandboxes.isEmpty() && overrides.isEmpty() && routesFile == null;
  }

  private record KeyUrl(String key, URI url) {}

  private static KeyUrl keyUrl(String flag, String value) {
    int eq = value.indexOf('=');
    if (eq <= 0 || eq == value.length() - 1) {
      throw new UsageException(flag + " must be KEY=URL, e.g. " + flag + " demo-v2=http://127.0.0.1:8082, got '"
          + value + "'");
    }
    String key = value.substring(0, eq).trim();
    return new KeyUrl(key, Cli.httpOrigin(flag + " " + key, value.substring(eq + 1).trim()));
  }

  private static Map<String, RouteSpec> read(Path file) {
    JsonNode n;
    try {
      n = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new UsageException("--routes " + file + " cannot be read as JSON or YAML: " + firstLine(e.getMessage()), e);
    }
    if (n == null || !n.isObject()) {
      throw new UsageException("--routes " + file + " must map routing keys to routes, e.g. {\"pr-42\": {\"override\":"
          + " \"http://127.0.0.1:8000\"}}");
    }
    Map<String, RouteSpec> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      try {
        out.put(e.getKey(), RouteSpec.fromJson(e.getValue()));
      } catch (IllegalArgumentException ex) {
        throw new UsageException("--routes " + file + ", route " + e.getKey() + ": " + ex.getMessage(), ex);
      }
    }
    return out;
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
