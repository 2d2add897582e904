package dev.tapline.cli;

import dev.tapline.core.api.ProxyAdminClient;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Mixin for the commands that call a capture proxy's admin API ({@code route}): its URL from {@code
 * --admin} (or {@code TAPLINE_ADMIN}) and its token from {@code --token}, {@code TAPLINE_TOKEN} or
 * {@code --token-file}, sent as {@code Authorization: Bearer}.
 */
final class AdminOptions {
  @Option(names = "--admin", required = true, paramLabel = "URL",
      description = "The capture proxy's admin API, http://host:port or HOST:PORT, as tapline up and tapline proxy"
          + " print it (also TAPLINE_ADMIN).")
  String admin;

  @Option(names = "--token", paramLabel = "T",
      description = "The admin port's bearer token, when it requires one (also TAPLINE_TOKEN).")
  @Nullable String token;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "Read the admin port's token from this file instead, so it does not show in ps (also"
          + " TAPLINE_TOKEN_FILE).")
  @Nullable Path tokenFile;

  ProxyAdminClient client() {
    return new ProxyAdminClient(Cli.adminUrl("--admin", admin), Cli.token(token, tokenFile));
  }
}
