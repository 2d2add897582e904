package dev.tapline.mcp;

import dev.tapline.core.ExchangeReader;
import dev.tapline.mcp.ToolSpec.Hints;
import dev.tapline.mcp.ToolSpec.Reply;
import dev.tapline.testgen.GenerationResult;
import dev.tapline.testgen.GeneratorOptions;
import dev.tapline.testgen.TestGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code generate_tests}: testgen over the recorder's export. The sources come back as text, whole
 * when they are small, else the file list and the first test class; one file can be asked for by
 * path, and {@code outDir} writes them all.
 */
final class GenerateTool {
  /** Sources up to this size come back whole; past it, the list and the first test class. */
  static final int WHOLE_UP_TO = 16 * 1024;
  /** The most of one file a result shows. */
  static final int MAX_FILE = 48 * 1024;
  private static final Pattern ENDPOINT = Pattern.compile("([A-Za-z]+)\\s+(/\\S*)");

  private final Recorder recorder;
  private final Path workDir;

  GenerateTool(Recorder recorder, Path workDir) {
    this.recorder = recorder;
    this.workDir = workDir;
  }

  ToolSpec tool() {
    InputSchema in = InputSchema.object()
        .string("service", "The service to generate tests for, as list_endpoints names it, e.g. orders.")
        .string("package", "Java package of the generated test classes, e.g. com.acme.orders.contract.")
        .string("endpoint", "Only this endpoint: method and path template as list_endpoints prints them, e.g."
            + " \"GET /orders/{orderId}\". Leave out for every endpoint of the service.")
        .string("routingKey", "Only traffic of this sandbox routing key (e.g. pr-42); \"\" for baseline traffic only.")
        .string("query", "A Lucene query that further narrows the traffic, e.g. `status:[200 TO 299]` or"
            + " `time:[now-1d TO now]`.")
        .integer("maxPerEndpoint", "Most tests per endpoint, 1 to 50 (default 5).", 1, 50)
        .string("outDir", "Also write the files under this directory (java/<package>/..., resources/...), replacing"
            + " files of the same names; e.g. /path/to/repo/src/test. A relative path is resolved against the"
            + " directory tapline mcp was started in.")
        .string("file", "Return only this generated file, by the path the file list shows (e.g."
            + " java/com/acme/orders/contract/OrdersContractTest.java).")
        .string("verifyUrl", "Base URL to run the generated tests against, e.g. http://127.0.0.1:8082.")
        .string("graphqlSchema", "A GraphQL schema file (SDL, or an introspection result as JSON) that types the data"
            + " of GraphQL answers; a relative path is resolved like outDir.");
    AuthArgs.add(in, "How the generated tests log in: recorded (the default) the way the recording did, by the login"
        + " its keyed hashes link to later requests' credentials; none; or client-credentials, the OAuth2 grant with"
        + " tokenUrl, clientId and clientSecretEnv. The tests read credentials when they run (tapline.auth.* or"
        + " TAPLINE_AUTH_*), never from the recording.");
    in.require("service", "package");
    return ToolSpec.of("generate_tests", "Generate contract tests",
        "Generates REST Assured + JUnit 5 contract tests (and JSON Schemas of the responses) from a service's"
            + " recorded traffic, for every endpoint or one. Returns the file list and the sources as text: all of"
            + " them when small, else the first test class, with a way to ask for any other file; with outDir it"
            + " also writes them (the same traffic always gives the same files). Use it to turn what a sandbox or"
            + " the baseline did into tests to commit.",
        in, new Hints(false, true, true, false), this::generate);
  }

  private Reply generate(Args a) {
    String service = a.required("service", "\"orders\" (list_endpoints shows the services)");
    String pkg = a.required("package", "\"com.acme.orders.contract\"");
    String endpoint = a.string("endpoint");
    String routingKey = a.stringOrEmpty("routingKey");
    String q = Query.of(a.string("query"), service, routingKey, null);
    int max = a.integer("maxPerEndpoint", GeneratorOptions.DEFAULT_MAX_PER_ENDPOINT, 1, 50);
    String outDir = a.string("outDir");
    String file = a.string("file");
    String verifyUrl = a.string("verifyUrl");
    String graphqlSchema = a.string("graphqlSchema");

    GeneratorOptions.Auth auth = switch (AuthArgs.mode(a, AuthArgs.RECORDED)) {
      case AuthArgs.NONE -> GeneratorOptions.Auth.none();
      case AuthArgs.RECORDED -> GeneratorOptions.Auth.fromRecording();
      default -> GeneratorOptions.Auth.clientCredentials(AuthArgs.clientCredentials(a));
    };
    GeneratorOptions options;
    try {
      options = GeneratorOptions.builder(pkg).maxPerEndpoint(max).service(service)
          .routingKey(routingKey == null || routingKey.isEmpty() ? null : routingKey)
          .sourceName(withoutCredentials(recorder.client.baseUrl())).auth(auth)
          .graphqlSchema(graphqlSchema == null ? null : resolve(graphqlSchema, "graphqlSchema")).build();
    } catch (IllegalArgumentException e) {
      throw new ToolError(e.getMessage() + ".");
    }
    Endpoint only = endpoint == null ? null : Endpoint.parse(endpoint);
    Path target = outDir == null ? null : resolve(outDir, "outDir");

    GenerationResult result;
    TestGenerator generator;
    try {
      generator = TestGenerator.create(options);
    } catch (TestGenerator.InvalidGraphqlSchemaException e) {
      throw new ToolError("graphqlSchema " + e.getMessage() + ".");
    }
    try (ExchangeReader source = exportOf(q)) {
      result = only == null ? generator.generate(source, null)
          : generator.generateFor(source, only.method(), only.template(), null);
    } catch (IOException | UncheckedIOException e) {
      throw new ToolError("Reading the traffic failed: " + e.getMessage());
    }
    if (result.exchangesRead() == 0) {
      Recorder.Empty why = recorder.whyEmpty(service, routingKey, null);
      throw new ToolError("No recorded exchanges match " + Query.show(q) + ", so there is nothing to generate from.\n"
          + why.text());
    }
    if (only != null && result.endpoints().stream()
        .noneMatch(e -> e.method().equals(only.method()) && e.pathTemplate().equals(only.template()))) {
      throw new ToolError("No endpoint " + only + " in the traffic of " + service + "; endpoints seen: "
          + Text.list(result.endpoints().stream()
              .sorted(java.util.Comparator.comparing(GenerationResult.EndpointSummary::pathTemplate)
                  .thenComparing(GenerationResult.EndpointSummary::method))
              .map(e -> e.method() + " " + e.pathTemplate()).distinct().toList()) + ".");
    }
    if (result.files().isEmpty()) {
      throw new ToolError("No tests could be generated from " + Text.count(result.exchangesRead(), "exchange")
          + " matching " + Query.show(q) + ": " + skipped(result) + ".");
    }
    if (file != null) {
      String content = result.files().get(file);
      if (content == null) {
        throw new ToolError("No generated file " + file + "; the files are: " + Text.list(List.copyOf(result.files().keySet())) + ".");
      }
      return Reply.ok("=== " + file + " (" + Text.bytes(Text.utf8Length(content)) + ") ===\n" + shown(content));
    }

    StringBuilder out = new StringBuilder();
    out.append("Generated ").append(Text.count(result.scenariosWritten(), "test")).append(" for ")
        .append(only == null ? Text.count(result.endpoints().size(), "endpoint") + " of " + service : only.toString())
        .append(" from ").append(Text.count(result.exchangesRead(), "exchange")).append(" (")
        .append(result.exchangesUsed()).append(" used) matching ").append(Query.show(q)).append(", package ")
        .append(pkg).append(".\n");
    long total = 0;
    for (String content : result.files().values()) {
      total += Text.utf8Length(content);
    }
    out.append("Files (").append(result.files().size()).append(", ").append(Text.bytes(total)).append("):\n");
    result.files().forEach((path, content) -> out.append("  ").append(path).append("  ")
        .append(Text.bytes(Text.utf8Length(content))).append('\n'));
    if (target != null) {
      try {
        List<Path> written = TestGenerator.write(result, target);
        out.append("Wrote ").append(Text.count(written.size(), "file")).append(" under ").append(target)
            .append(" (files of the same names replaced).\n");
      } catch (IOException e) {
        throw new ToolError("Generated the tests but cannot write them under " + target + ": " + e.getMessage());
      }
    } else {
      out.append("Not written to disk: give outDir (e.g. the repository's src/test) to write them.\n");
    }
    if (!result.skipped().isEmpty()) {
      out.append("Left out: ").append(skipped(result)).append('\n');
    }
    out.append("Run them against a deployment: TAPLINE_BASE_URI=http://host:port mvn test (TAPLINE_ROUTING_KEY=key"
        + " to reach a sandbox through the proxy); they need JUnit 5 and REST Assured on the test classpath.\n");
    for (GenerationResult.Authentication.Login l : result.authentication().logins()) {
      out.append("The tests log in like ").append(l.display()).append(" (").append(l.call()).append("), as ")
          .append(l.uses()).append(" recorded requests did: ").append(String.join("; ", l.links())).append('.');
      if (!l.credentials().isEmpty()) {
        out.append(" Give the credentials when they run: ").append(String.join("; ", l.credentials())).append('.');
      }
      out.append('\n');
    }
    if (result.authentication().hint() != null) {
      out.append("Note: ").append(result.authentication().hint()).append(".\n");
    }
    if (verifyUrl != null) {
      out.append("Verification against ").append(verifyUrl).append(" is not available: Tapline cannot run the generated"
          + " tests itself yet. Run them with TAPLINE_BASE_URI=").append(verifyUrl).append(" mvn test.\n");
    }
    if (total <= WHOLE_UP_TO) {
      result.files().forEach((path, content) -> out.append("\n=== ").append(path).append(" ===\n").append(content));
    } else {
      Map.Entry<String, String> first = firstTestClass(result);
      out.append("\nThe sources are ").append(Text.bytes(total)).append(", so only ").append(first.getKey())
          .append(" is shown; ask for another with file set to its path").append(target == null ? ", or give outDir" : "")
          .append(".\n\n=== ").append(first.getKey()).append(" ===\n").append(shown(first.getValue()));
    }
    return Reply.ok(out.toString().stripTrailing());
  }

  /** {@code GET /orders/{orderId}}: a method and a whole path template, as the catalog lists it. */
  record Endpoint(String method, String template) {
    static Endpoint parse(String s) {
      Matcher m = ENDPOINT.matcher(s.strip());
      if (!m.matches()) {
        throw new ToolError("endpoint must be a method and a path template as list_endpoints prints them, e.g."
            + " \"GET /orders/{orderId}\", got \"" + s + "\".");
      }
      return new Endpoint(m.group(1).toUpperCase(Locale.ROOT), m.group(2));
    }

    @Override
    public String toString() {
      return method + " " + template;
    }
  }

  /** What the generated header names as the source: the recorder's URL without user info. */
  static String withoutCredentials(String url) {
    try {
      URI u = new URI(url);
      return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
    } catch (URISyntaxException e) {
      return "the recorder";
    }
  }

  private ExchangeReader exportOf(@Nullable String q) {
    try {
      return recorder.client.export(q);
    } catch (IOException e) {
      throw recorder.failure(e, q);
    }
  }

  private Path resolve(String path, String argument) {
    try {
      return workDir.resolve(path).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new ToolError(argument + " is not a valid path: " + e.getMessage());
    }
  }

  /** The first generated test class (not the shared support class); else the first file. */
  private static Map.Entry<String, String> firstTestClass(GenerationResult r) {
    for (Map.Entry<String, String> f : r.files().entrySet()) {
      if (f.getKey().endsWith("Test.java")) {
        return f;
      }
    }
    return r.files().entrySet().iterator().next();
  }

  private static String shown(String content) {
    String s = Text.prefixWithinBytes(content, MAX_FILE);
    return s.length() == content.length() ? s
        : s + "\n... cut here: the file is " + Text.bytes(Text.utf8Length(content)) + "; write it with outDir to read it whole.";
  }

  private static String skipped(GenerationResult r) {
    List<String> parts = new ArrayList<>();
    for (GenerationResult.Skipped s : r.skipped()) {
      if (parts.size() == 8) {
        parts.add("...");
        break;
      }
      parts.add(s.describe());
    }
    return parts.isEmpty() ? "no endpoint had a usable exchange" : String.join("; ", parts);
  }
}
