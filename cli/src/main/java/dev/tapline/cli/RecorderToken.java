package dev.tapline.cli;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Mixin for the commands that read a recorder ({@code generate}, {@code spec}, {@code replay},
 * {@code export}, {@code mcp}): its token from {@code --token}, {@code TAPLINE_TOKEN} or {@code
 * --token-file}, sent as {@code Authorization: Bearer}.
 */
final class RecorderToken {
  @Option(names = "--token", paramLabel = "T",
      description = "The recorder's bearer token, when it requires one (also TAPLINE_TOKEN).")
  @Nullable String token;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "Read the recorder's token from this file instead, so it does not show in ps (also TAPLINE_TOKEN_FILE).")
  @Nullable Path tokenFile;

  /** The token, or null when none is given. */
  @Nullable String value() {
    return Cli.token(token, tokenFile);
  }
}
