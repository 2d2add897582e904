package dev.tapline.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tapline graphql}: GraphQL-specific commands; {@code check} for now. */
@Command(name = "graphql", mixinStandardHelpOptions = true,
    header = "Checks recorded GraphQL operations against a proposed schema (docs/GRAPHQL.md).",
    subcommands = GraphqlCheckCommand.class)
final class GraphqlCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
