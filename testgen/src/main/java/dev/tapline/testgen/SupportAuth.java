package dev.tapline.testgen;

import dev.tapline.core.auth.CredentialForm;
import dev.tapline.core.auth.LoginFlow;
import dev.tapline.core.auth.TokenSource;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The support class's part for logging in, emitted only when the tests log in (so a recording
 * without a login keeps today's support class): per {@link Plan.Login} a public method a test's
 * request starts from ({@code authenticated()}), the session holding what the login answered, and
 * the private method that logs in; once, the {@code Session} filter that presents it and logs in
 * again on a 401, and the helpers reading credentials and filling a form.
 */
final class SupportAuth {
  private static final String I2 = "        ";
  private static final String I4 = "                ";

  private SupportAuth() {}

  /** Imports the part needs, besides the support class's own. */
  static TreeSet<String> imports() {
    return new TreeSet<>(List.of("io.restassured.filter.Filter", "io.restassured.filter.FilterContext",
        "io.restassured.http.Header", "io.restassured.specification.FilterableRequestSpecification",
        "io.restassured.specification.FilterableResponseSpecification", "java.net.URI", "java.net.URLEncoder",
        "java.nio.charset.StandardCharsets", "java.util.LinkedHashMap", "java.util.Map", "java.util.function.Supplier"));
  }

  /** The lines of the class comment's list about credentials. */
  static String javadoc(List<Plan.Login> logins) {
    StringBuilder sb = new StringBuilder();
    sb.append(" *   <li>{@code tapline.auth.*} or {@code TAPLINE_AUTH_*}: the credentials the tests log in with,\n")
        .append(" *       the way the recording did");
    for (Plan.Login l : logins) {
      sb.append(" ({@code ").append(JavaLiterals.comment(l.display()).replace("{", "(").replace("}", ")"))
          .append("}: {@link #").append(l.specMethod()).append("()})");
    }
    sb.append("; see tapline-report.md.\n");
    return sb.toString();
  }

  /** The public methods and sessions, one per login, and the private methods that log in. */
  static String logins(List<Plan.Login> logins) {
    StringBuilder sb = new StringBuilder();
    for (Plan.Login l : logins) {
      sb.append("    /**\n");
      sb.append("     * A request specification logged in the way the recording was: ")
          .append(javadoc(l.display())).append(",\n");
      sb.append("     * with this run's credentials; ");
      for (int i = 0; i < l.links().size(); i++) {
        LoginFlow.Link link = l.links().get(i);
        sb.append(i == 0 ? "" : ", ").append("its ").append(javadoc(link.source().describe())).append(" sent as ")
            .append(javadoc(link.form().describe()));
      }
      sb.append(".\n");
      sb.append("     * It logs in once per test run, and again when a request is answered 401 (sent once more).\n");
      sb.append("     */\n");
      sb.append("    public static RequestSpecification ").append(l.specMethod()).append("() {\n");
      sb.append(I2).append("return new RequestSpecBuilder().addRequestSpecification(spec()).addFilter(").append(l.session())
          .append(").build();\n");
      sb.append("    }\n\n");
      sb.append("    private static final Session ").append(l.session()).append(" = new Session(TaplineTarget::")
          .append(l.logInMethod()).append(");\n\n");
      sb.append("    /** Logs in like ").append(l.exchangeId() == null ? "the OAuth2 client-credentials grant"
          : "recorded exchange " + JavaLiterals.comment(l.exchangeId())).append(": ").append(javadoc(l.display()))
          .append(". */\n");
      sb.append("    private static Session.Presented ").append(l.logInMethod()).append("() {\n");
      String call = JavaLiterals.string(l.display() + " (logging in)");
      sb.append(I2).append("Response login = given(").append(l.grant() == null ? "spec()" : "").append(")\n");
      if (l.contentType() != null) {
        sb.append(I4).append(".contentType(").append(JavaLiterals.string(l.contentType())).append(")\n");
      }
      Plan.BodyText body = l.body();
      if (body != null) {
        String literal = indent(JavaLiterals.bodyLiteral(body.text()), I4 + "    ");
        if (body.templated()) {
          sb.append(I4).append(".body(").append(body.form() ? "fillForm" : "fill").append("(").append(literal);
          for (Map.Entry<String, Plan.Expr> e : body.values().entrySet()) {
            sb.append(",\n").append(I4).append("        ").append(JavaLiterals.string(e.getKey())).append(", ")
                .append(Emitter.credential((Plan.Cred) e.getValue()).substring(Emitter.SUPPORT_CLASS.length() + 1));
          }
          sb.append("))\n");
        } else {
          sb.append(I4).append(".body(").append(literal).append(")\n");
        }
      }
      sb.append(I2).append("    .when()\n");
      String method = l.httpMethod().toLowerCase(java.util.Locale.ROOT);
      String where = l.grant() == null ? JavaLiterals.string(l.path()) : "tokenUrl(" + JavaLiterals.string(l.path()) + ")";
      if (List.of("get", "post", "put", "patch", "delete").contains(method)) {
        sb.append(I4).append('.').append(method).append('(').append(where).append(");\n");
      } else {
        sb.append(I4).append(".request(").append(JavaLiterals.string(l.httpMethod())).append(", ").append(where).append(");\n");
      }
      sb.append(I2).append("expectStatus(login, ").append(l.status()).append(", ").append(call).append(");\n");
      sb.append(I2).append("return new Session.Presented()");
      for (LoginFlow.Link link : l.links()) {
        String value = switch (link.source()) {
          case TokenSource.JsonField f -> "answered(login, " + JavaLiterals.string(f.dotted()) + ", " + call + ")";
          case TokenSource.SetCookie c -> "cookieSet(login, " + JavaLiterals.string(c.name()) + ", " + call + ")";
          case TokenSource.ResponseHeader h -> "headerSet(login, " + JavaLiterals.string(h.name()) + ", " + call + ")";
        };
        switch (link.form()) {
          case CredentialForm.Header h -> sb.append("\n").append(I4).append(".header(").append(JavaLiterals.string(h.name()))
              .append(", ").append(h.prefix().isEmpty() ? "" : JavaLiterals.string(h.prefix()) + " + ").append(value).append(')');
          case CredentialForm.Cookie c -> sb.append("\n").append(I4).append(".cookie(").append(JavaLiterals.string(c.name()))
              .append(", ").append(value).append(')');
        }
      }
      sb.append(";\n    }\n\n");
    }
    return sb.toString();
  }

  /** Continuation lines of a literal, indented to sit under the call they are an argument of. */
  private static String indent(String literal, String indent) {
    return literal.replace("\n", "\n" + indent);
  }

  private static String javadoc(String s) {
    return "{@code " + JavaLiterals.comment(s).replace("@", "&#64;").replace("{", "(").replace("}", ")") + "}";
  }

  /** The helpers and the session filter, once. */
  static String helpers(boolean clientCredentials) {
    StringBuilder sb = new StringBuilder();
    sb.append("""
            /**
             * A credential of this run: the system property, else the environment variable, else the
             * recorded value it may replace (null when the recording's was redacted). Fails naming both
             * places when there is none: recorded credentials are never used.
             */
            public static String credential(String property, String env, String recorded) {
                String value = System.getProperty(property);
                if (value == null || value.isEmpty()) {
                    value = System.getenv(env);
                }
                if (value != null && !value.isEmpty()) {
                    return value;
                }
                if (recorded != null) {
                    return recorded;
                }
                throw new IllegalStateException("logging in needs " + property + " (system property) or " + env
                        + " (environment variable); the recorded credentials are redacted and never used"
                        + " (see tapline-report.md)");
            }

            /**
             * A form body template with each {@code ${name}} replaced by its value, URL-encoded:
             * {@code fillForm("username=${username}", "username", "ann")}.
             */
            public static String fillForm(String template, Object... namesAndValues) {
                String out = template;
                for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
                    out = out.replace("${" + namesAndValues[i] + "}",
                            URLEncoder.encode(String.valueOf(namesAndValues[i + 1]), StandardCharsets.UTF_8));
                }
                return out;
            }

            private static String answered(Response login, String path, String call) {
                Object value = login.path(path);
                if (value == null || String.valueOf(value).isEmpty()) {
                    throw new AssertionError(call + " answered " + login.statusCode() + " without " + path + ": "
                            + login.asString());
                }
                return String.valueOf(value);
            }

            private static String cookieSet(Response login, String name, String call) {
                String value = login.getCookie(name);
                if (value == null || value.isEmpty()) {
                    throw new AssertionError(call + " answered " + login.statusCode() + " without setting the cookie "
                            + name + ": " + login.asString());
                }
                return value;
            }

            private static String headerSet(Response login, String name, String call) {
                String value = login.header(name);
                if (value == null || value.isEmpty()) {
                    throw new AssertionError(call + " answered " + login.statusCode() + " without the header " + name);
                }
                int space = value.indexOf(' ');
                return space > 0 && space <= 20 ? value.substring(space + 1) : value;
            }

        """);
    if (clientCredentials) {
      sb.append("""
              /** The token endpoint: tapline.auth.tokenUrl when given, else the one generated with; a path is on the target. */
              private static String tokenUrl(String generated) {
                  String url = System.getProperty("tapline.auth.tokenUrl");
                  if (url == null || url.isBlank()) {
                      url = System.getenv("TAPLINE_AUTH_TOKEN_URL");
                  }
                  if (url == null || url.isBlank()) {
                      url = generated;
                  }
                  return url.startsWith("/") ? URI.create(baseUri()).resolve(url).toString() : url;
              }

          """);
    }
    sb.append("""
            /**
             * Logs in once, keeps what the login answered and presents it on every request of the
             * specifications it is added to; a request answered 401 logs in again (once for all the
             * requests that saw the old answer) and is sent once more with the new one.
             */
            private static final class Session implements Filter {
                private final Supplier<Presented> logIn;
                private Presented current;

                Session(Supplier<Presented> logIn) {
                    this.logIn = logIn;
                }

                private synchronized Presented current(Presented stale) {
                    if (current == null || current == stale) {
                        current = logIn.get();
                    }
                    return current;
                }

                @Override
                public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response,
                        FilterContext context) {
                    Presented used = current(null);
                    used.presentOn(request);
                    Response answer = context.next(request, response);
                    if (answer.statusCode() != 401) {
                        return answer;
                    }
                    Presented fresh = current(used);
                    RequestSpecification again = given().config(request.getConfig()).urlEncodingEnabled(false);
                    for (Header h : request.getHeaders()) {
                        if (!fresh.headers.containsKey(h.getName().toLowerCase(java.util.Locale.ROOT))) {
                            again.header(h.getName(), h.getValue());
                        }
                    }
                    for (io.restassured.http.Cookie c : request.getCookies()) {
                        if (!fresh.cookies.containsKey(c.getName())) {
                            again.cookie(c);
                        }
                    }
                    fresh.headers.values().forEach(h -> again.header(h.getName(), h.getValue()));
                    fresh.cookies.forEach(again::cookie);
                    Object body = request.getBody();
                    if (body instanceof byte[] bytes) {
                        again.body(bytes);
                    } else if (body != null) {
                        again.body(body.toString());
                    }
                    return again.request(request.getMethod(), request.getURI());
                }

                /** What a login gives the requests: headers and cookies. */
                static final class Presented {
                    final Map<String, Header> headers = new LinkedHashMap<>();
                    final Map<String, String> cookies = new LinkedHashMap<>();

                    Presented header(String name, String value) {
                        headers.put(name.toLowerCase(java.util.Locale.ROOT), new Header(name, value));
                        return this;
                    }

                    Presented cookie(String name, String value) {
                        cookies.put(name, value);
                        return this;
                    }

                    void presentOn(FilterableRequestSpecification request) {
                        headers.values().forEach(h -> {
                            request.removeHeader(h.getName());
                            request.header(h.getName(), h.getValue());
                        });
                        cookies.forEach((name, value) -> {
                            request.removeCookie(name);
                            request.cookie(name, value);
                        });
                    }
                }
            }

        """);
    return sb.toString();
  }
}
