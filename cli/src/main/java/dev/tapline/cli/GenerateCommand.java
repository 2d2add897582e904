package dev.tapline.cli;

import dev.tapline.core.ExchangeReader;
import dev.tapline.core.api.RecorderClient;
import dev.tapline.testgen.GenerationResult;
import dev.tapline.testgen.GeneratorOptions;
import dev.tapline.testgen.TestGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapline generate}: recorded traffic (+ OpenAPI) → REST Assured / JUnit 5 contract tests. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {
      "Generates REST Assured / JUnit 5 contract tests from recorded traffic.",
      "",
      "Sources go to DIR/java/<package>/, JSON schemas to DIR/resources/, and with --openapi a "
          + "report to DIR/tapline-report.md. Run the tests with TAPLINE_BASE_URI=URL (docs/TESTGEN.md).",
      ""})
final class GenerateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Spec CommandSpec spec;

  @Mixin TrafficInput input;

  @Option(names = "--openapi", paramLabel = "FILE", description = "OpenAPI 3 document: its paths and operationIds win.")
  @Nullable Path openApi;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Test source root's parent, e.g. src/test.")
  Path out;

  @Option(names = "--package", required = true, paramLabel = "PKG", description = "Package of the generated tests.")
  String packageName;

  @Option(names = "--max-per-endpoint", paramLabel = "N", defaultValue = "5",
      description = "Most tests per endpoint (default: ${DEFAULT-VALUE}).")
  int maxPerEndpoint;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter outw = spec.commandLine().getOut();
    TestGenerator generator = create(GenerateCommand.options(packageName, maxPerEndpoint, input.service, input.routingKey, openApi, input.from));
    GenerationResult result;
    try (ExchangeReader source = open(input.from, input.query, input.token.value())) {
      result = generator.generate(source, n -> {
        err.println("read " + n + " exchanges...");
        err.flush();
      });
    } catch (IOException | UncheckedIOException e) {
      throw new UsageException(e.getMessage(), e);
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
    if (!result.skipped().isEmpty()) {
      outw.println("Skipped:");
      result.skipped().forEach(s -> outw.println("  " + s.describe()));
    }
    outw.flush();
    return 0;
  }

  static GeneratorOptions options(String pkg, int max, @Nullable String service, @Nullable String routingKey,
      @Nullable Path openApi, String from) {
    try {
      return GeneratorOptions.builder(pkg).maxPerEndpoint(max).service(service).routingKey(routingKey)
          .openApi(openApi).sourceName(sourceName(from)).build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
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
