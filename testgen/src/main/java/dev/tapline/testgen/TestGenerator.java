package dev.tapline.testgen;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeReader;
import dev.tapline.core.endpoint.EndpointKey;
import dev.tapline.core.endpoint.Endpoints;
import dev.tapline.core.endpoint.OpenApiSpec;
import dev.tapline.core.graphql.GraphqlSchema;
import dev.tapline.testgen.GenerationResult.EndpointSummary;
import dev.tapline.testgen.GenerationResult.Skipped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Recorded exchanges (+ an optional OpenAPI document) → readable REST Assured / JUnit 5 contract
 * tests, JSON Schemas of the responses, and, with a spec, a report of where the traffic
 * contradicts it.
 *
 * <pre>{@code
 * TestGenerator gen = TestGenerator.create(GeneratorOptions.builder("com.acme.orders").build());
 * GenerationResult result;
 * try (ExchangeReader in = ExchangeReader.open("orders.ndjson", null)) {   // or a recorder URL
 *   result = gen.generate(in, null);
 * }
 * TestGenerator.write(result, Path.of("src/test"));   // java/com/acme/orders/*.java, resources/...
 *
 * // In memory, one endpoint (what the UI shows): relative path → source
 * SortedMap<String, String> files = gen.generateFor(exchanges, "GET", "/orders/{id}");
 * }</pre>
 *
 * <p>Exchanges are folded one at a time into per-endpoint summaries, so memory grows with the
 * number of endpoints and distinct shapes, not with the number of exchanges. The same exchanges in
 * any order give byte-identical files. A malformed or unusable exchange is skipped and reported in
 * {@link GenerationResult#skipped()}; it never stops generation.
 */
public final class TestGenerator {
  /** File name of the spec report, next to {@code java/} and {@code resources/}. */
  public static final String REPORT_FILE = "tapline-report.md";
  private static final int MAX_MALFORMED_LISTED = 50;

  private final GeneratorOptions options;
  private final @Nullable OpenApiSpec spec;
  private final @Nullable GraphqlSchema graphqlSchema;
  private final Endpoints endpoints;

  /** Progress on long inputs: called every {@code 10_000} exchanges read. */
  @FunctionalInterface
  public interface ProgressListener {
    void exchangesRead(long count);
  }

  /** The OpenAPI document given in the options cannot be used; the message names the file. */
  public static final class InvalidSpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidSpecException(String message) {
      super(message);
    }
  }

  /**
   * The GraphQL schema given in the options cannot be used; the message names the file, on one line.
   */
  public static final class InvalidGraphqlSchemaException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidGraphqlSchemaException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private TestGenerator(GeneratorOptions options, @Nullable OpenApiSpec spec, @Nullable GraphqlSchema graphqlSchema) {
    this.options = options;
    this.spec = spec;
    this.graphqlSchema = graphqlSchema;
    this.endpoints = Endpoints.withSpec(spec);
  }

  /**
   * A generator for these options; reads and validates {@link GeneratorOptions#openApi()} and {@link
   * GeneratorOptions#graphqlSchema()} now.
   *
   * @throws InvalidSpecException when the OpenAPI document is unreadable or invalid
   * @throws InvalidGraphqlSchemaException when the GraphQL schema is unreadable or invalid
   */
  public static TestGenerator create(GeneratorOptions options) {
    requireNonNull(options, "options");
    OpenApiSpec spec = null;
    if (options.openApi() != null) {
      try {
        spec = OpenApiSpec.load(options.openApi());
      } catch (OpenApiSpec.InvalidSpecException e) {
        throw new InvalidSpecException(e.getMessage());
      }
    }
    GraphqlSchema graphqlSchema = null;
    if (options.graphqlSchema() != null) {
      try {
        graphqlSchema = GraphqlSchema.load(options.graphqlSchema());
      } catch (IllegalArgumentException e) {
        throw new InvalidGraphqlSchemaException(e.getMessage(), e);
      }
    }
    return new TestGenerator(options, spec, graphqlSchema);
  }

  public GeneratorOptions options() {
    return options;
  }

  /** Generates every endpoint's tests into memory. */
  public GenerationResult generate(Iterable<Exchange> exchanges) {
    return generate(exchanges, k -> true);
  }

  /**
   * Generates, into memory, only the tests of one endpoint: for the UI's "generate tests" button.
   * Pass the exchanges of the whole service (or at least of the resource), not only the endpoint's:
   * a {@code GET /orders/{id}} test creates its order through the recorded {@code POST /orders}.
   *
   * @param method e.g. {@code GET}
   * @param pathTemplate the whole path template as the recorder's catalog lists it ({@link
   *     EndpointKey#path()}), e.g. {@code /orders/{orderId}}
   * @return relative path → content: the test class, the support class and the schemas it uses
   */
  public SortedMap<String, String> generateFor(Iterable<Exchange> exchanges, String method, String pathTemplate) {
    requireNonNull(method, "method");
    requireNonNull(pathTemplate, "pathTemplate");
    return generate(exchanges, k -> k.method().equalsIgnoreCase(method) && k.path().equals(pathTemplate)).files();
  }

  /**
   * Streams every exchange of {@code source} (the caller closes it) and writes, into memory, only the
   * tests of one endpoint; {@link GenerationResult#endpoints()} still lists every endpoint seen.
   *
   * @param pathTemplate the whole path template as the recorder's catalog lists it
   */
  public GenerationResult generateFor(ExchangeReader source, String method, String pathTemplate,
      @Nullable ProgressListener progress) {
    requireNonNull(method, "method");
    requireNonNull(pathTemplate, "pathTemplate");
    Catalog catalog = new Catalog(options, endpoints);
    List<Skipped> malformed = new ArrayList<>();
    long read = fold(source, catalog, malformed, progress);
    return finish(catalog, read, malformed,
        k -> k.method().equalsIgnoreCase(method) && k.path().equals(pathTemplate));
  }

  private GenerationResult generate(Iterable<Exchange> exchanges, Predicate<EndpointKey> include) {
    requireNonNull(exchanges, "exchanges");
    Catalog catalog = new Catalog(options, endpoints);
    long read = 0;
    for (Exchange e : exchanges) {
      read++;
      accept(catalog, e);
    }
    return finish(catalog, read, List.of(), include);
  }

  /**
   * Streams every exchange of {@code source} (the caller closes it); malformed lines are skipped
   * and reported. A read that breaks off throws the reader's {@link java.io.UncheckedIOException}.
   */
  public GenerationResult generate(ExchangeReader source, @Nullable ProgressListener progress) {
    return generate(source, progress, null);
  }

  /**
   * As {@link #generate(ExchangeReader, ProgressListener)}, then, with {@code verify}, compiles the
   * suite and runs it against the service it came from ({@link VerifyOptions}): assertions that fail
   * are removed with a comment, tests that cannot pass are not written, and both are listed in
   * {@link GenerationResult#verification()} and {@value #REPORT_FILE}.
   */
  public GenerationResult generate(ExchangeReader source, @Nullable ProgressListener progress,
      @Nullable VerifyOptions verify) {
    Catalog catalog = new Catalog(options, endpoints);
    List<Skipped> malformed = new ArrayList<>();
    long read = fold(source, catalog, malformed, progress);
    return finish(catalog, read, malformed, k -> true, verify);
  }

  /**
   * An OpenAPI 3.1 document (YAML) inferred from the traffic: paths, parameters, request and
   * response schemas, examples. Filters of the options apply; the package is not used.
   */
  public InferredSpec inferSpec(ExchangeReader source, @Nullable ProgressListener progress) {
    Catalog catalog = new Catalog(options, endpoints);
    List<Skipped> malformed = new ArrayList<>();
    long read = fold(source, catalog, malformed, progress);
    List<Skipped> skipped = new ArrayList<>(malformed);
    addSkips(catalog, skipped);
    return new InferredSpec(SpecWriter.yaml(catalog, options.sourceName()), read, catalog.endpoints.size(), skipped);
  }

  /** See {@link #inferSpec(ExchangeReader, ProgressListener)}. */
  public InferredSpec inferSpec(Iterable<Exchange> exchanges) {
    Catalog catalog = new Catalog(options, endpoints);
    long read = 0;
    for (Exchange e : exchanges) {
      read++;
      accept(catalog, e);
    }
    List<Skipped> skipped = new ArrayList<>();
    addSkips(catalog, skipped);
    return new InferredSpec(SpecWriter.yaml(catalog, options.sourceName()), read, catalog.endpoints.size(), skipped);
  }

  /** An inferred OpenAPI document and what went into it. */
  public record InferredSpec(String yaml, long exchangesRead, int endpoints, List<Skipped> skipped) {}

  private long fold(ExchangeReader source, Catalog catalog, List<Skipped> malformed, @Nullable ProgressListener progress) {
    requireNonNull(source, "source");
    long read = 0;
    long bad = 0;
    for (ExchangeReader.Item item; (item = source.next()) != null; ) {
      switch (item) {
        case ExchangeReader.Item.Read r -> {
          read++;
          accept(catalog, r.exchange());
          if (progress != null && read % 10_000 == 0) {
            progress.exchangesRead(read);
          }
        }
        case ExchangeReader.Item.Malformed m -> {
          bad++;
          if (malformed.size() < MAX_MALFORMED_LISTED) {
            malformed.add(new GenerationResult.MalformedInput(source.name(), m.line(), m.message()));
          }
        }
      }
    }
    if (bad > MAX_MALFORMED_LISTED) {
      malformed.add(new GenerationResult.MalformedInput(source.name(), 0,
          (bad - MAX_MALFORMED_LISTED) + " more malformed line(s) not listed"));
    }
    return read;
  }

  private static void accept(Catalog catalog, Exchange e) {
    try {
      catalog.accept(e, e.id());
    } catch (RuntimeException ex) {
      // One odd exchange must not stop the batch; it is reported with its id.
      catalog.skips.add("could not be analysed: " + ex.getClass().getSimpleName(), e.id());
    }
  }

  private GenerationResult finish(Catalog catalog, long read, List<Skipped> malformed, Predicate<EndpointKey> include) {
    return finish(catalog, read, malformed, include, null);
  }

  private GenerationResult finish(Catalog catalog, long read, List<Skipped> malformed, Predicate<EndpointKey> include,
      @Nullable VerifyOptions verify) {
    Planner planner = new Planner(catalog, options, spec, graphqlSchema);
    List<Plan.ClassPlan> classes = new ArrayList<>(planner.plan(include));
    GenerationResult.Verification verification = null;
    String verifyReport = null;
    if (verify != null) {
      checkCredentials(planner.auth, verify);
      Verifier.Outcome o = new Verifier(verify).verify(classes, c -> emit(c, planner, catalog, null));
      verification = new GenerationResult.Verification(verify.target().toString(), verify.runs(), o.rounds(), o.millis(),
          o.removed(), o.notWritten());
      int written = classes.stream().mapToInt(c -> c.tests().size()).sum();
      verifyReport = Verifier.report(verify, o, written);
    }
    TreeMap<String, String> files = emit(classes, planner, catalog, verifyReport);
    int scenarios = classes.stream().mapToInt(c -> c.tests().size()).sum();
    List<EndpointSummary> summaries = new ArrayList<>();
    for (Catalog.Endpoint ep : catalog.endpoints.values()) {
      summaries.add(new EndpointSummary(ep.key.service(), ep.key.method(), ep.key.path(), ep.count,
          List.copyOf(ep.statuses.keySet()), planner.scenariosPerEndpoint.getOrDefault(ep.key, 0)));
    }
    List<Skipped> skipped = new ArrayList<>(malformed);
    addSkips(catalog, skipped);
    planner.notWritten.forEach((k, n) -> skipped.add(new GenerationResult.ScenariosOverLimit(k.display(), n)));
    if (!planner.rejected.isEmpty()) {
      skipped.add(new GenerationResult.UnusableExchanges(AuthPlan.REJECTED, planner.rejected.size(),
          List.copyOf(planner.rejected).subList(0, Math.min(5, planner.rejected.size()))));
    }
    return new GenerationResult(files, read, catalog.accepted, summaries, scenarios, skipped, verification,
        authentication(planner.auth));
  }

  private static GenerationResult.Authentication authentication(AuthPlan auth) {
    List<GenerationResult.Authentication.Login> logins = new ArrayList<>();
    for (Plan.Login l : auth.logins) {
      logins.add(new GenerationResult.Authentication.Login(Emitter.SUPPORT_CLASS + "." + l.specMethod() + "()",
          l.display(), l.exchangeId(), l.links().stream().map(dev.tapline.core.auth.LoginFlow.Link::describe).toList(),
          l.credentials().stream().map(c -> c.property() + " (or " + c.env() + ")"
              + (c.recorded() == null ? ", required" : ", default: the recorded value")).toList(), l.uses()));
    }
    return new GenerationResult.Authentication(logins, auth.hint());
  }

  /**
   * Verification runs the tests, which log in: every credential they must be given has to be there,
   * else every test that logs in would fail and be left out.
   */
  private static void checkCredentials(AuthPlan auth, VerifyOptions verify) {
    dev.tapline.core.auth.CredentialSource run = dev.tapline.core.auth.CredentialSource.of(verify.properties(),
        dev.tapline.core.auth.CredentialSource.system());
    for (Plan.Login l : auth.logins) {
      List<String> missing = new ArrayList<>();
      for (Plan.Cred c : l.credentials()) {
        if (c.recorded() == null && run.get(c.property(), c.env()) == null) {
          missing.add(c.property() + " (or " + c.env() + ")");
        }
      }
      if (!missing.isEmpty()) {
        throw new dev.tapline.core.auth.MissingCredentialsException(missing,
            "verifying the generated tests, which log in with " + l.display() + ",");
      }
    }
  }

  /**
   * The class's source; when a test cannot be written (a bug, never the user's data), the class
   * without it, the test reported as skipped.
   */
  private static String emitOrSkip(Emitter emitter, Plan.ClassPlan c, Catalog catalog) {
    try {
      return emitter.emit(c);
    } catch (RuntimeException whole) {
      List<Plan.TestCase> ok = new ArrayList<>();
      for (Plan.TestCase t : c.tests()) {
        try {
          emitter.emit(c.withTests(List.of(t)));
          ok.add(t);
        } catch (RuntimeException ex) {
          catalog.skips.add("could not be written: " + ex.getClass().getSimpleName(), t.main().recorded().exchangeId());
        }
      }
      return emitter.emit(c.withTests(ok));
    }
  }

  /** Sources, schemas and the report for the planned classes. */
  private TreeMap<String, String> emit(List<Plan.ClassPlan> classes, Planner planner, Catalog catalog,
      @Nullable String verifyReport) {
    TreeMap<String, String> files = new TreeMap<>();
    String pkgPath = options.packageName().replace('.', '/');
    Emitter emitter = new Emitter(options.packageName(), options.sourceName(), planner.auth);
    java.util.TreeSet<String> bases = new java.util.TreeSet<>();
    java.util.TreeSet<String> usedSchemas = new java.util.TreeSet<>();
    for (Plan.ClassPlan c : classes) {
      if (c.tests().isEmpty()) {
        continue;
      }
      files.put("java/" + pkgPath + "/" + c.className() + ".java", emitOrSkip(emitter, c, catalog));
      bases.add(c.basePath());
      c.tests().forEach(t -> {
        if (t.schemaResource() != null) {
          usedSchemas.add(t.schemaResource());
        }
      });
    }
    if (!files.isEmpty()) {
      String base = bases.size() == 1 ? bases.first() : "";
      files.put("java/" + pkgPath + "/" + Emitter.SUPPORT_CLASS + ".java",
          SupportClass.source(options.packageName(), options.sourceName(), "http://localhost:8080" + base,
              planner.auth.logins));
    }
    planner.schemas.forEach((resource, content) -> {
      if (usedSchemas.contains(resource)) {
        files.put("resources/" + resource, content);
      }
    });
    StringBuilder report = new StringBuilder();
    if (spec != null) {
      report.append(new SpecReport(spec).report(catalog, planner.scenariosPerEndpoint));
    }
    String authReport = planner.auth.report(planner.rejected.size());
    String graphqlReport = planner.graphqlReport();
    for (String section : new String[] {graphqlReport, authReport, verifyReport}) {
      if (section == null || section.isEmpty()) {
        continue;
      }
      if (report.length() == 0) {
        report.append("# Tapline contract report\n\n");
      } else {
        report.append('\n');
      }
      report.append(section);
    }
    if (report.length() > 0) {
      files.put(REPORT_FILE, report.toString());
    }
    return files;
  }

  private static void addSkips(Catalog catalog, List<Skipped> skipped) {
    if (catalog.filtered > 0) {
      skipped.add(new GenerationResult.FilteredOut(catalog.filtered));
    }
    catalog.skips.counts.forEach((reason, n) -> skipped.add(new GenerationResult.UnusableExchanges(
        reason, n, List.copyOf(catalog.skips.examples.get(reason)))));
  }

  /**
   * Writes the files of {@code result} under {@code outDir} (created when missing), UTF-8, replacing
   * files of the same name. Every path is checked to stay inside {@code outDir}.
   *
   * @return the files written, absolute, in order
   */
  public static List<Path> write(GenerationResult result, Path outDir) throws IOException {
    requireNonNull(result, "result");
    Path root = requireNonNull(outDir, "outDir").toAbsolutePath().normalize();
    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, String> f : result.files().entrySet()) {
      Path target = root.resolve(f.getKey()).normalize();
      if (!target.startsWith(root) || target.equals(root)) {
        throw new IOException("refusing to write outside " + root + ": " + f.getKey());
      }
      Files.createDirectories(target.getParent());
      Files.writeString(target, f.getValue(), StandardCharsets.UTF_8);
      written.add(target);
    }
    return written;
  }
}
