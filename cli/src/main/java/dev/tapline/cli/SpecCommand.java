package dev.tapline.cli;

import dev.tapline.core.ExchangeReader;
import dev.tapline.testgen.GenerationResult;
import dev.tapline.testgen.TestGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapline spec}: an OpenAPI 3.1 document inferred from recorded traffic. */
@Command(name = "spec", mixinStandardHelpOptions = true,
    header = "Infers an OpenAPI 3.1 document (paths, parameters, schemas, examples) from recorded traffic.")
final class SpecCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Spec CommandSpec spec;

  @Mixin TrafficInput input;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the YAML, e.g. openapi.yaml.")
  Path out;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    TestGenerator generator = GenerateCommand.create(
        GenerateCommand.options("tapline", 1, input.service, input.routingKey, null, input.from, null,
            input.origins()));
    TestGenerator.InferredSpec inferred;
    try (ExchangeReader source = GenerateCommand.open(input.from, input.query, input.token.value())) {
      inferred = generator.inferSpec(source, n -> {
        err.println("read " + n + " exchanges...");
        err.flush();
      });
    } catch (IOException | UncheckedIOException e) {
      throw new UsageException(e.getMessage(), e);
    }
    if (inferred.exchangesRead() == 0) {
      for (GenerationResult.Skipped s : inferred.skipped()) {
        if (s instanceof GenerationResult.MalformedInput m) {
          throw new UsageException(m.describe());
        }
      }
    }
    try {
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(out, inferred.yaml(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UsageException("cannot write " + out + ": " + e.getMessage(), e);
    }
    PrintWriter o = spec.commandLine().getOut();
    o.println("Read " + inferred.exchangesRead() + " exchanges; wrote " + inferred.endpoints()
        + " operations to " + out);
    inferred.skipped().forEach(s -> o.println("  skipped: " + s.describe()));
    o.flush();
    return 0;
  }
}
