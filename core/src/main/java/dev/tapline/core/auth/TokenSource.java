package dev.tapline.core.auth;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** Where a login's response carries the credential it issues. */
public sealed interface TokenSource permits TokenSource.JsonField, TokenSource.SetCookie, TokenSource.ResponseHeader {
  /** For messages and sorting: {@code access_token}, {@code data.token}, {@code Set-Cookie SID}. */
  String describe();

  /**
   * A string field of a JSON body.
   *
   * @param path the keys from the root, e.g. {@code [access_token]} or {@code [data, token]}
   */
  record JsonField(List<String> path) implements TokenSource {
    public JsonField {
      path = List.copyOf(requireNonNull(path, "path"));
      if (path.isEmpty()) {
        throw new IllegalArgumentException("path must name a field");
      }
    }

    /** The dotted path, as REST Assured's {@code response.path(...)} reads it: {@code data.token}. */
    public String dotted() {
      return String.join(".", path);
    }

    @Override
    public String describe() {
      return dotted();
    }
  }

  /** The value of the cookie {@code name} a {@code Set-Cookie} header sets. */
  record SetCookie(String name) implements TokenSource {
    public SetCookie {
      requireNonNull(name, "name");
    }

    @Override
    public String describe() {
      return "Set-Cookie " + name;
    }
  }

  /** A response header's value (after its scheme, if it has one). */
  record ResponseHeader(String name) implements TokenSource {
    public ResponseHeader {
      requireNonNull(name, "name");
    }

    @Override
    public String describe() {
      return "header " + name;
    }
  }
}
