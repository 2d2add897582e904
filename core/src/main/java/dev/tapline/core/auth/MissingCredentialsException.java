package dev.tapline.core.auth;

import java.util.List;

/**
 * A login needs credentials the run did not give. The message names each one and where to give it:
 * {@code the recorded login POST /login needs tapline.auth.password (or TAPLINE_AUTH_PASSWORD)}.
 */
public final class MissingCredentialsException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final List<String> missing;

  public MissingCredentialsException(String login, List<Credential> missing) {
    this(missing.stream().map(Credential::where).toList(), login);
  }

  /**
   * @param where each missing value and where to give it, e.g. {@code the environment variable ORDERS_CLIENT_SECRET}
   */
  public MissingCredentialsException(List<String> where, String login) {
    super(login + " needs " + String.join(", ", where) + ": give " + (where.size() == 1 ? "it" : "them")
        + " as system properties or environment variables (recorded credentials are redacted and never used)");
    this.missing = List.copyOf(where);
  }

  /** Each missing value and where to give it. */
  public List<String> missing() {
    return missing;
  }
}
