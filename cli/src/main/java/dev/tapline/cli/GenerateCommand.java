package dev.tapline.cli;

import dev.tapline.core.ExchangeReader;
import dev.tapline.core.Origin;
import dev.tapline.core.api.RecorderClient;
import dev.tapline.core.auth.MissingCredentialsException;
import dev.tapline.testgen.BuildFile;
import dev.tapline.testgen.GenerationResult;
import dev.tapline.testgen.GeneratorOptions;
import dev.tapline.testgen.SuiteRunner;
import dev.tapline.testgen.TestGenerator;
import dev.tapline.testgen.VerifyOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapline generate}: recorded traffic (+ OpenAPI) → REST Assured / JUnit 5 contract tests. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    header = "Generates REST Assured / JUnit 5 contract tests from recorded traffic.",
    description = {
      "Sources go to DIR/java/<package>/, JSON schemas to DIR/resources/, and with --openapi, --graphql-schema, --verify or a login a "
          + "report to DIR/tapline-report.md. Run the tests with TAPLINE_BASE_URI=URL (docs/TESTGEN.md).",
      "",
      "When the recording logs in (recorded through tapline proxy --redact-key-file, or tapline up), the tests log in "
          + "the same way with credentials given when they run (tapline.auth.* or TAPLINE_AUTH_*); see --auth.",
      ""})
final class GenerateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Spec CommandSpec spec;

  @Mixin TrafficInput input;

  @Option(names = "--openapi", paramLabel = "FILE", description = "OpenAPI 3 document: its paths and operationIds win.")
  @Nullable Path openApi;

  @Option(names = "--graphql-schema", paramLabel = "FILE",
      description = "GraphQL schema (SDL, or an introspection result as JSON) that types the data of GraphQL answers;"
          + " without it, data is checked against what the recording showed.")
  @Nullable Path graphqlSchema;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Test source root's parent, e.g. src/test.")
  Path out;

  @Option(names = "--package", required = true, paramLabel = "PKG", description = "Package of the generated tests.")
  String packageName;

  @Option(names = "--max-per-endpoint", paramLabel = "N", defaultValue = "5",
      description = "Most tests per endpoint (default: ${DEFAULT-VALUE}).")
  int maxPerEndpoint;

  @Option(names = "--base-path", paramLabel = "PATH",
      description = "Where the service's resources sit, e.g. /shop/v1: the tests' paths are relative to it and"
          + " tapline.baseUri includes it (default: the spec's servers path, else the leading segments every"
          + " recorded path shares).")
  @Nullable String basePath;

  @Option(names = "--verify", paramLabel = "URL",
      description = "After writing, compile the suite and run it against the service at URL (base path included),"
          + " --runs times, later runs in a random order; an assertion that fails is removed with a comment, a test"
          + " that cannot pass is not written, and both are listed in the summary and tapline-report.md.")
  @Nullable String verify;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "2",
      description = "Runs per verification round (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--verify-routing-key", paramLabel = "K",
      description = "Send this routing key while verifying (verify against a sandbox).")
  @Nullable String verifyRoutingKey;

  @Mixin AuthOptions auth = new AuthOptions();

  @Option(names = "--build", paramLabel = "maven|none", defaultValue = "maven",
      description = "Write a minimal pom.xml where the tests land when there is no build there yet, so mvn test"
          + " runs them as written: maven (default) or none.")
  String build;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter outw = spec.commandLine().getOut();
    if (!build.equals("maven") && !build.equals("none")) {
      throw new UsageException("--build must be maven or none, got '" + build + "'");
    }
    VerifyOptions verifyOptions = verifyOptions();
    GeneratorOptions.Auth authMode = switch (auth.mode(AuthOptions.RECORDED)) {
      case AuthOptions.NONE -> GeneratorOptions.Auth.none();
      case AuthOptions.RECORDED -> GeneratorOptions.Auth.fromRecording();
      default -> GeneratorOptions.Auth.clientCredentials(auth.clientCredentials());
    };
    TestGenerator generator = create(GenerateCommand.options(packageName, maxPerEndpoint, input.service, input.routingKey,
        openApi, input.from, basePath, input.origins()).toBuilder().auth(authMode).graphqlSchema(graphqlSchema).build());
    GenerationResult result;
    try (ExchangeReader source = open(input.from, input.query, input.token.value())) {
      result = generator.generate(source, n -> {
        err.println("read " + n + " exchanges...");
        err.flush();
      }, verifyOptions);
    } catch (IOException | UncheckedIOException e) {
      throw new UsageException(e.getMessage(), e);
    } catch (MissingCredentialsException e) {
      throw new UsageException(e.getMessage(), e);
    } catch (SuiteRunner.CompileException e) {
      throw new IllegalStateException("the generated tests do not compile (a Tapline bug; please report it): "
          + e.getMessage(), e);
    }
    failWhenNothingWasReadable(result);
    List<Path> written;
    try {
      written = TestGenerator.write(result, out);
    } catch (IOException e) {
      throw new UsageException("cannot write to " + out + ": " + e.getMessage(), e);
    }
    outw.println("Read " + result.exchangesRead() + " exchanges (" + result.exchangesUsed() + " used); "
        + result.endpoints().size() + " endpoints seen; " + result.scenariosWritten() + " tests written.");
    for (GenerationResult.EndpointSummary e : result.endpoints()) {
      outw.println("  " + e.method() + " " + e.pathTemplate() + "  " + e.exchanges() + " exchanges, statuses "
          + e.statuses() + ", " + e.scenarios() + " tests" + (result.endpoints().stream()
              .map(GenerationResult.EndpointSummary::service).distinct().count() > 1 ? " [" + e.service() + "]" : ""));
    }
    for (Path p : written) {
      outw.println("wrote " + p);
    }
    if (build.equals("maven") && !result.files().isEmpty()) {
      try {
        Path pom = BuildFile.writeMaven(out, artifactId(packageName));
        if (pom != null) {
          outw.println("wrote " + pom + " (run: mvn -f " + pom + " test -Dtapline.baseUri=URL)");
        }
      } catch (IOException e) {
        throw new UsageException("cannot write a pom.xml next to " + out + ": " + e.getMessage(), e);
      }
    }
    for (GenerationResult.Authentication.Login l : result.authentication().logins()) {
      outw.println("Logs in like " + (l.exchangeId() == null ? l.display() : l.display() + " (exchange " + l.exchangeId() + ")")
          + " for " + l.uses() + " recorded request(s), through " + l.call() + ": " + String.join("; ", l.links()) + ".");
      if (!l.credentials().isEmpty()) {
        outw.println("  credentials at run time: " + String.join("; ", l.credentials()));
      }
    }
    if (result.authentication().hint() != null) {
      outw.println("Note: " + result.authentication().hint() + ".");
    }
    GenerationResult.Verification v = result.verification();
    if (v != null) {
      outw.println("Verified against " + v.target() + ": " + v.runs() + " run(s) per round, " + v.rounds()
          + " round(s), " + v.millis() + " ms; " + v.removed().size() + " assertion(s) removed, "
          + v.notWritten().size() + " test(s) not written" + (v.removed().isEmpty() && v.notWritten().isEmpty()
              ? "." : " (see " + TestGenerator.REPORT_FILE + "):"));
      v.removed().forEach(r -> outw.println("  removed " + r.test() + ": " + r.what() + " (" + r.why() + ")"));
      v.notWritten().forEach(n -> outw.println("  not written " + n.test() + ": " + n.why()));
    }
    if (!result.skipped().isEmpty()) {
      outw.println("Skipped:");
      result.skipped().forEach(s -> outw.println("  " + s.describe()));
    }
    outw.flush();
    return 0;
  }

  static GeneratorOptions options(String pkg, int max, @Nullable String service, @Nullable String routingKey,
      @Nullable Path openApi, String from, @Nullable String basePath, Set<Origin> origins) {
    try {
      return GeneratorOptions.builder(pkg).maxPerEndpoint(max).service(service).routingKey(routingKey)
          .openApi(openApi).sourceName(sourceName(from)).basePath(basePath).origins(origins).build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }

  private @Nullable VerifyOptions verifyOptions() {
    if (verify == null) {
      return null;
    }
    java.net.URI target = Cli.httpUri("--verify", verify);
    Map<String, String> props = new java.util.LinkedHashMap<>();
    if (verifyRoutingKey != null && !verifyRoutingKey.isBlank()) {
      props.put("tapline.routingKey", verifyRoutingKey);
    }
    try {
      return new VerifyOptions(target, runs, props);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--runs " + e.getMessage(), e);
    }
  }

  /** {@code com.acme.orders.contract} → {@code orders-contract-tests}. */
  static String artifactId(String pkg) {
    String[] parts = pkg.split("\\.");
    String last = parts[parts.length - 1];
    return last.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + "-contract-tests";
  }

  /** What the generated header names: the file name, or the URL without credentials. */
  static String sourceName(String from) {
    if (ExchangeReader.isUrl(from)) {
      try {
        java.net.URI u = java.net.URI.create(from);
        return new java.net.URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
      } catch (IllegalArgumentException | java.net.URISyntaxException e) {
        throw new UsageException("--from is not a valid URL: " + from, e);
      }
    }
    Path name = Path.of(from).getFileName();
    return name == null ? from : name.toString();
  }

  static TestGenerator create(GeneratorOptions options) {
    try {
      return TestGenerator.create(options);
    } catch (TestGenerator.InvalidGraphqlSchemaException e) {
      throw new UsageException("--graphql-schema " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }

  /** The recorder's export or the file; what cannot be opened is one line naming it, exit code 2. */
  static ExchangeReader open(String from, @Nullable String query, @Nullable String token) {
    try {
      return ExchangeReader.open(from, query, token, RecorderClient.DEFAULT_CONNECT_TIMEOUT);
    } catch (IOException e) {
      throw new UsageException(e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--query: " + e.getMessage(), e);
    }
  }

  /** Every line malformed (not NDJSON at all): that is bad input, not an empty recording. */
  static void failWhenNothingWasReadable(GenerationResult result) {
    if (result.exchangesRead() == 0) {
      for (GenerationResult.Skipped s : result.skipped()) {
        if (s instanceof GenerationResult.MalformedInput m) {
          throw new UsageException(m.describe());
        }
      }
    }
  }
}
