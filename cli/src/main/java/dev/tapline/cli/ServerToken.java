package dev.tapline.cli;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Mixin for the commands that serve HTTP ({@code up}, {@code recorder}, {@code proxy}): the token
 * they require, from {@code --token}, {@code TAPLINE_TOKEN} or {@code --token-file}, and the host
 * names they answer for besides their own address.
 */
final class ServerToken {
  @Option(names = "--token", paramLabel = "T",
      description = "Require this bearer token on the HTTP API, the UI and the proxy's admin port (also TAPLINE_TOKEN).")
  @Nullable String token;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "Read the token from this file instead, so it does not show in ps (also TAPLINE_TOKEN_FILE).")
  @Nullable Path tokenFile;

  @Option(names = "--allowed-host", paramLabel = "NAME",
      description = "Also answer HTTP requests whose Host is NAME (e.g. a reverse proxy's name); a loopback server"
          + " otherwise answers only its own address and localhost, which shuts out DNS rebinding (repeatable).")
  java.util.List<String> allowedHosts = new java.util.ArrayList<>();

  /** The token, or null when none is given. */
  @Nullable String value() {
    return Cli.token(token, tokenFile);
  }
}
