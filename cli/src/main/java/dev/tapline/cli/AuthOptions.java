package dev.tapline.cli;

import dev.tapline.core.auth.ClientCredentials;
import java.net.URI;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Mixin for how {@code generate} and {@code replay} log in: {@code --auth} and the OAuth2
 * client-credentials grant's settings. Credentials themselves never go on the command line: the run
 * reads them from {@code tapline.auth.*} system properties or {@code TAPLINE_AUTH_*} variables, and
 * the client secret from the variable {@code --client-secret-env} names.
 */
final class AuthOptions {
  static final String RECORDED = "recorded";
  static final String NONE = "none";

  @Option(names = "--auth", paramLabel = "recorded|none|client-credentials",
      description = "How to log in. recorded: the way the recording did, by the login it links (by the keyed hashes"
          + " of redaction) to the credentials later requests presented; none: not at all; client-credentials: with"
          + " the OAuth2 client-credentials grant (--token-url, --client-id, --client-secret-env). Credentials come from"
          + " tapline.auth.* system properties or TAPLINE_AUTH_* environment variables, never from the recording."
          + " generate logs in as recorded unless told otherwise; replay does not log in unless told.")
  @Nullable String auth;

  @Option(names = "--token-url", paramLabel = "URL",
      description = "The token endpoint of the client-credentials grant: an http(s) URL, or a path such as"
          + " /oauth/token on the service under test.")
  @Nullable String tokenUrl;

  @Option(names = "--client-id", paramLabel = "ID", description = "The client id of the client-credentials grant.")
  @Nullable String clientId;

  @Option(names = "--client-secret-env", paramLabel = "VAR",
      description = "The environment variable holding the client secret of the client-credentials grant; the secret"
          + " is read when the tests or the replay run and is never written anywhere.")
  @Nullable String clientSecretEnv;

  @Option(names = "--scope", paramLabel = "SCOPE", description = "The scope the client-credentials grant asks for.")
  @Nullable String scope;

  /** {@code recorded}, {@code none} or {@code client-credentials}; {@code dflt} when not given. */
  String mode(String dflt) {
    String m = auth == null || auth.isBlank() ? dflt : auth.trim().toLowerCase(Locale.ROOT);
    if (!m.equals(RECORDED) && !m.equals(NONE) && !m.equals(ClientCredentials.NAME)) {
      throw new UsageException("--auth must be recorded, none or client-credentials, got '" + auth + "'");
    }
    boolean grantFlags = tokenUrl != null || clientId != null || clientSecretEnv != null || scope != null;
    if (grantFlags && !m.equals(ClientCredentials.NAME)) {
      throw new UsageException("--token-url, --client-id, --client-secret-env and --scope go with --auth client-credentials");
    }
    return m;
  }

  /** The client-credentials grant the flags describe (with {@code --auth client-credentials}). */
  ClientCredentials clientCredentials() {
    if (tokenUrl == null || clientId == null || clientSecretEnv == null) {
      throw new UsageException("--auth client-credentials needs --token-url URL, --client-id ID and --client-secret-env VAR");
    }
    URI url;
    try {
      url = URI.create(tokenUrl.trim());
    } catch (IllegalArgumentException e) {
      throw new UsageException("--token-url is not a URL: " + tokenUrl, e);
    }
    try {
      return new ClientCredentials(url, clientId.trim(), clientSecretEnv.trim(), scope);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--auth client-credentials: " + e.getMessage()
          .replace("tokenUrl", "--token-url").replace("clientId", "--client-id").replace("secretEnv", "--client-secret-env"), e);
    }
  }
}
