package dev.tapline.mcp;

import dev.tapline.core.auth.ClientCredentials;
import java.net.URI;
import java.util.List;

/**
 * The login arguments {@code generate_tests} and {@code check_drift} share, as the CLI's {@code
 * --auth} flags: {@code auth} ({@code recorded}, {@code none}, {@code client-credentials}) and the
 * client-credentials grant's {@code tokenUrl}, {@code clientId}, {@code clientSecretEnv}, {@code
 * scope}. Credentials are never arguments: the MCP server's process reads them from {@code
 * TAPLINE_AUTH_*} variables (and the client secret from the variable {@code clientSecretEnv} names).
 */
final class AuthArgs {
  static final String RECORDED = "recorded";
  static final String NONE = "none";
  static final List<String> MODES = List.of(RECORDED, NONE, ClientCredentials.NAME);

  private AuthArgs() {}

  /** Adds the shared fields; {@code authDoc} says what {@code auth} does for the tool. */
  static InputSchema add(InputSchema in, String authDoc) {
    return in.enumeration("auth", authDoc, MODES)
        .string("tokenUrl", "With auth client-credentials: the token endpoint, an http(s) URL or a path such as"
            + " /oauth/token on the service.")
        .string("clientId", "With auth client-credentials: the client id.")
        .string("clientSecretEnv", "With auth client-credentials: the environment variable of the MCP server that holds"
            + " the client secret (the secret itself is never an argument), e.g. ORDERS_CLIENT_SECRET.")
        .string("scope", "With auth client-credentials: the scope to ask for (optional).");
  }

  static String mode(Args a, String dflt) {
    String m = a.string("auth");
    if (m == null) {
      m = dflt;
    }
    if (!MODES.contains(m)) {
      throw new ToolError("auth must be one of " + String.join(", ", MODES) + ", got \"" + m + "\".");
    }
    if (!m.equals(ClientCredentials.NAME) && (a.has("tokenUrl") || a.has("clientId") || a.has("clientSecretEnv")
        || a.has("scope"))) {
      throw new ToolError("tokenUrl, clientId, clientSecretEnv and scope go with auth \"client-credentials\".");
    }
    return m;
  }

  static ClientCredentials clientCredentials(Args a) {
    String url = a.string("tokenUrl");
    String id = a.string("clientId");
    String env = a.string("clientSecretEnv");
    if (url == null || id == null || env == null) {
      throw new ToolError("auth \"client-credentials\" needs tokenUrl, clientId and clientSecretEnv, e.g. tokenUrl"
          + " \"https://idp.example.com/oauth2/token\", clientId \"orders-ci\", clientSecretEnv \"ORDERS_CLIENT_SECRET\".");
    }
    try {
      return new ClientCredentials(URI.create(url), id, env, a.string("scope"));
    } catch (IllegalArgumentException e) {
      throw new ToolError(e.getMessage() + ".");
    }
  }
}
