package dev.tapline.core.auth;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * How a request presents a credential: in a header (after a scheme such as {@code Bearer}, or
 * alone, as in {@code X-Auth-Token}) or as a cookie. Two requests present the same credential the
 * same way when their forms have the same {@link #key()}.
 */
public sealed interface CredentialForm permits CredentialForm.Header, CredentialForm.Cookie {
  /** {@code header:authorization}, {@code cookie:SID}: what a form is matched by. */
  String key();

  /** How the value is sent, for messages: {@code Authorization: Bearer <token>}, {@code cookie SID}. */
  String describe();

  /**
   * A header: {@code name: prefix<token>}.
   *
   * @param prefix what stands before the token, {@code "Bearer "} or {@code ""}
   */
  record Header(String name, String prefix) implements CredentialForm {
    public Header {
      requireNonNull(name, "name");
      requireNonNull(prefix, "prefix");
    }

    @Override
    public String key() {
      return "header:" + name.toLowerCase(Locale.ROOT);
    }

    @Override
    public String describe() {
      return name + ": " + prefix + "<token>";
    }
  }

  /** A cookie of the {@code Cookie} header. */
  record Cookie(String name) implements CredentialForm {
    public Cookie {
      requireNonNull(name, "name");
    }

    @Override
    public String key() {
      return "cookie:" + name;
    }

    @Override
    public String describe() {
      return "cookie " + name;
    }
  }
}
