package dev.tapline.cli;

import dev.tapline.core.endpoint.GraphqlResolver;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Mixin for the commands that recognise GraphQL requests ({@code up}, {@code recorder}, {@code
 * replay}, {@code graphql check}): where GraphQL is served besides {@code /graphql} and paths ending
 * with it.
 */
final class GraphqlPaths {
  @Option(names = "--graphql-path", paramLabel = "GLOB",
      description = "Also read requests on this path as GraphQL (repeatable; /graphql and paths ending with /graphql always are): "
          + "/gql, /api/*/query, /tenants/**.")
  List<String> globs = new ArrayList<>();

  GraphqlResolver resolver() {
    try {
      return GraphqlResolver.forPaths(globs);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--graphql-path: " + e.getMessage(), e);
    }
  }
}
