package dev.tapline.core.auth;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The OAuth2 client-credentials grant (RFC 6749, section 4.4), the usual service-to-service login,
 * named instead of recorded: {@code POST tokenUrl} with the form {@code grant_type=client_credentials
 * &client_id=...&client_secret=...[&scope=...]}, whose JSON answer's {@code access_token} is sent as
 * {@code Authorization: Bearer <token>}. The secret is read at run time from the environment variable
 * {@code secretEnv} (or the system property {@code tapline.auth.clientSecret}); it is never written
 * anywhere.
 *
 * <pre>{@code
 * ClientCredentials cc = new ClientCredentials(URI.create("https://idp.example.com/oauth2/token"),
 *     "orders-ci", "ORDERS_CLIENT_SECRET", "orders.read");
 * String secret = cc.secret(CredentialSource.system());   // throws when ORDERS_CLIENT_SECRET is not set
 * }</pre>
 *
 * @param tokenUrl the token endpoint: absolute, or a path below the target's URL ({@code /oauth/token})
 * @param clientId the client's id (the run may replace it with {@code tapline.auth.clientId})
 * @param secretEnv the environment variable holding the client's secret
 * @param scope the scope to ask for, or null for the client's default
 */
public record ClientCredentials(URI tokenUrl, String clientId, String secretEnv, @Nullable String scope) {
  /** What {@code --auth} calls this scheme. */
  public static final String NAME = "client-credentials";
  /** The system property that may hold the secret instead of {@link #secretEnv()} (in-process runs). */
  public static final String SECRET_PROPERTY = "tapline.auth.clientSecret";

  public ClientCredentials {
    requireNonNull(tokenUrl, "tokenUrl");
    requireNonNull(clientId, "clientId");
    requireNonNull(secretEnv, "secretEnv");
    String scheme = tokenUrl.getScheme() == null ? null : tokenUrl.getScheme().toLowerCase(Locale.ROOT);
    if (tokenUrl.isAbsolute() ? !("http".equals(scheme) || "https".equals(scheme)) || tokenUrl.getHost() == null
        : tokenUrl.getRawPath() == null || !tokenUrl.getRawPath().startsWith("/")) {
      throw new IllegalArgumentException("tokenUrl must be an http(s) URL or a path starting with /: " + tokenUrl);
    }
    if (clientId.isBlank()) {
      throw new IllegalArgumentException("clientId must not be blank");
    }
    if (!secretEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("secretEnv must name an environment variable (letters, digits, _): " + secretEnv);
    }
    if (scope != null && scope.isBlank()) {
      scope = null;
    }
  }

  /** The client id: {@code tapline.auth.clientId} (or {@code TAPLINE_AUTH_CLIENT_ID}) when the run gives one. */
  public String clientId(CredentialSource source) {
    String v = source.get(Credential.property("clientId"), Credential.env("clientId"));
    return v == null ? clientId : v;
  }

  /**
   * The client's secret, from {@code tapline.auth.clientSecret} or the variable {@link #secretEnv()}.
   *
   * @throws MissingCredentialsException when neither is set
   */
  public String secret(CredentialSource source) {
    String v = source.get(SECRET_PROPERTY, secretEnv);
    if (v == null) {
      throw new MissingCredentialsException(java.util.List.of("the client secret in the environment variable "
          + secretEnv + " (or the system property " + SECRET_PROPERTY + ")"), "the client-credentials login at " + tokenUrl);
    }
    return v;
  }

  /** The token endpoint for a target: {@link #tokenUrl()} itself, or that path below {@code base}. */
  public URI tokenUrl(URI base) {
    if (tokenUrl.isAbsolute()) {
      return tokenUrl;
    }
    String b = base.toString();
    return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + tokenUrl);
  }
}
