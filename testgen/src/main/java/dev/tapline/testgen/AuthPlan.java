package dev.tapline.testgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.auth.AuthFlows;
import dev.tapline.core.auth.AuthLinks;
import dev.tapline.core.auth.ClientCredentials;
import dev.tapline.core.auth.Credential;
import dev.tapline.core.auth.CredentialForm;
import dev.tapline.core.auth.LoginFlow;
import dev.tapline.core.auth.TokenSource;
import dev.tapline.core.endpoint.EndpointKey;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How the generated tests log in: the logins of the recording ({@link AuthFlows}) or the named
 * client-credentials grant, as {@link Plan.Login}s the support class performs, and for each
 * recorded request whether it was sent logged in, and with which login (by how it presented its
 * credentials). A request answered 401 although it presented credentials (expired or revoked ones)
 * cannot be reproduced and gets no test.
 */
final class AuthPlan {
  static final String REJECTED = "answered 401 to a recorded credential (an expired or revoked one cannot be reproduced)";

  final List<Plan.Login> logins;
  final AuthFlows flows;
  private final Map<String, Plan.Login> byForm;
  private final Map<EndpointKey, Plan.Login> byEndpoint;

  private AuthPlan(List<Plan.Login> logins, AuthFlows flows, Map<String, Plan.Login> byForm,
      Map<EndpointKey, Plan.Login> byEndpoint) {
    this.logins = List.copyOf(logins);
    this.flows = flows;
    this.byForm = byForm;
    this.byEndpoint = byEndpoint;
  }

  /**
   * @param basePath the base path of a service: a recorded login's path is written relative to it
   */
  static AuthPlan of(AuthFlows flows, GeneratorOptions.Auth mode, Function<String, String> basePath) {
    if (mode instanceof GeneratorOptions.Auth.None) {
      return new AuthPlan(List.of(), flows, Map.of(), Map.of());
    }
    ClientCredentials grant = mode instanceof GeneratorOptions.Auth.Client c ? c.grant() : null;
    String authorization = new CredentialForm.Header("Authorization", "Bearer ").key();
    List<LoginFlow> recorded = new ArrayList<>();
    for (LoginFlow f : flows.flows()) {
      boolean replaced = grant != null && f.links().stream().allMatch(l -> l.form().key().equals(authorization));
      if (!replaced) {
        recorded.add(f);
      }
    }
    int count = recorded.size() + (grant == null ? 0 : 1);
    List<Plan.Login> logins = new ArrayList<>();
    Map<String, Plan.Login> byForm = new HashMap<>();
    Map<EndpointKey, Plan.Login> byEndpoint = new HashMap<>();
    if (grant != null) {
      LoginFlow covering = flows.byForm().get(authorization);
      long uses = covering != null ? covering.uses() : flows.unlinked().getOrDefault(authorization, 0L);
      Plan.Login l = clientCredentials(grant, count == 1, uses);
      logins.add(l);
      byForm.put(authorization, l);
    }
    for (LoginFlow f : recorded) {
      String base = basePath.apply(f.endpoint().service());
      String path = !base.isEmpty() && f.path().startsWith(base + "/") ? f.path().substring(base.length()) : f.path();
      String name = f.name();
      String cap = Character.toUpperCase(name.charAt(0)) + name.substring(1);
      boolean only = count == 1;
      Plan.BodyText body = f.body() == null ? null : templated(f.contentType(), f.body());
      Plan.Login l = new Plan.Login(name, only ? "authenticated" : "authenticatedBy" + cap, only ? "logIn" : "logInBy" + cap,
          only ? "SESSION" : "BY_" + upperSnake(name), f.display(), f.exchangeId(), f.method(),
          path + (f.rawQuery() == null ? "" : "?" + f.rawQuery()), f.contentType(), body, f.status(), f.links(), null,
          creds(f.credentials()), f.uses());
      logins.add(l);
      byEndpoint.put(f.endpoint(), l);
      for (LoginFlow.Link link : f.links()) {
        if (grant == null || !link.form().key().equals(authorization)) {
          byForm.put(link.form().key(), l);
        }
      }
    }
    logins.sort((a, b) -> a.specMethod().compareTo(b.specMethod()));
    return new AuthPlan(logins, flows, byForm, byEndpoint);
  }

  private static Plan.Login clientCredentials(ClientCredentials grant, boolean only, long uses) {
    TreeMap<String, Plan.Expr> values = new TreeMap<>();
    Plan.Cred id = new Plan.Cred("clientId", Credential.property("clientId"), Credential.env("clientId"), grant.clientId());
    Plan.Cred secret = new Plan.Cred("clientSecret", ClientCredentials.SECRET_PROPERTY, grant.secretEnv(), null);
    values.put(id.name(), id);
    values.put(secret.name(), secret);
    String form = "grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}"
        + (grant.scope() == null ? "" : "&scope=" + URLEncoder.encode(grant.scope(), StandardCharsets.UTF_8));
    return new Plan.Login("clientCredentials", only ? "authenticated" : "authenticatedByClientCredentials",
        only ? "logIn" : "logInByClientCredentials", only ? "SESSION" : "BY_CLIENT_CREDENTIALS",
        "POST " + grant.tokenUrl() + " (client credentials)", null, "POST", grant.tokenUrl().toString(),
        "application/x-www-form-urlencoded", new Plan.BodyText(form, values, true), 200,
        List.of(new LoginFlow.Link(new TokenSource.JsonField(List.of("access_token")),
            new CredentialForm.Header("Authorization", "Bearer "))),
        grant, List.of(id, secret), uses);
  }

  private static List<Plan.Cred> creds(List<Credential> credentials) {
    List<Plan.Cred> out = new ArrayList<>();
    for (Credential c : credentials) {
      out.add(new Plan.Cred(c.name(), c.property(), c.env(), c.recorded()));
    }
    return out;
  }

  /** The login a recorded request was sent with (by how it presented credentials), or null. */
  Plan.@Nullable Login loginFor(Candidate c) {
    for (String form : c.credentials()) {
      Plan.Login l = byForm.get(form);
      if (l != null) {
        return l;
      }
    }
    return null;
  }

  /** Whether a recorded request presented credentials and was refused: no test can repeat that. */
  boolean rejected(Candidate c) {
    return c.status() == 401 && loginFor(c) != null;
  }

  /** Whether a (2xx) request to this endpoint is one of the logins: its body gets the run's credentials. */
  boolean isLogin(EndpointKey endpoint) {
    return byEndpoint.containsKey(endpoint);
  }

  /**
   * A login's body with each credential ({@link AuthLinks#credentialsOf}) replaced by a placeholder
   * the run's value fills: JSON strings, or form values.
   */
  static Plan.BodyText templated(@Nullable String contentType, String body) {
    List<Credential> credentials = AuthLinks.credentialsOf(contentType, body);
    TreeMap<String, Plan.Expr> values = new TreeMap<>();
    if (credentials.isEmpty()) {
      return new Plan.BodyText(body, values);
    }
    Map<String, Credential> byField = new LinkedHashMap<>();
    for (Credential c : credentials) {
      byField.put(String.join("\u0000", c.path()), c);
      values.put(c.name(), new Plan.Cred(c.name(), c.property(), c.env(), c.recorded()));
    }
    String mime = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (mime.equals("application/x-www-form-urlencoded")) {
      List<String> pairs = new ArrayList<>();
      for (String pair : body.split("&", -1)) {
        int eq = pair.indexOf('=');
        Credential c = eq <= 0 ? null : byField.get(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8));
        pairs.add(c == null ? pair : pair.substring(0, eq) + "=${" + c.name() + "}");
      }
      return new Plan.BodyText(String.join("&", pairs), values, true);
    }
    JsonNode root = Catalog.parse(body);
    if (!(root instanceof ObjectNode tree) || body.contains("${")) {
      return new Plan.BodyText(body, new TreeMap<>());
    }
    for (Credential c : credentials) {
      ObjectNode at = tree;
      for (int i = 0; i < c.path().size() - 1 && at != null; i++) {
        at = at.get(c.path().get(i)) instanceof ObjectNode o ? o : null;
      }
      if (at != null) {
        at.put(c.path().get(c.path().size() - 1), marker(c.name()));
      }
    }
    String text;
    try {
      text = ExchangeCodec.mapper().writeValueAsString(tree);
    } catch (Exception e) {
      return new Plan.BodyText(body, new TreeMap<>());
    }
    for (Credential c : credentials) {
      text = text.replace("\"" + marker(c.name()) + "\"", "\"${" + c.name() + "}\"");
    }
    return new Plan.BodyText(text, values);
  }

  private static String marker(String name) {
    return "__tapline_credential_" + name + "__";
  }

  static String upperSnake(String camel) {
    return Credential.env(camel).substring("TAPLINE_AUTH_".length());
  }

  /** The report's section on logging in; empty when the tests do not log in. */
  String report(int rejected) {
    if (logins.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("## Authentication\n\n");
    sb.append("The tests log in the way the recording did, with credentials given when they run: recorded credentials are")
        .append(" redacted and never used. Each login runs once per test run; a request answered 401 (an expired token,")
        .append(" an ended session) logs in again and is sent once more.\n");
    for (Plan.Login l : logins) {
      sb.append("\n### `").append(SpecReport.mdCode(l.display())).append("`: `TaplineTarget.").append(l.specMethod())
          .append("()`\n\n");
      if (l.exchangeId() != null) {
        sb.append("Repeats recorded exchange `").append(l.exchangeId()).append("`; ");
      } else {
        sb.append("The OAuth2 client-credentials grant; ");
      }
      sb.append(l.uses()).append(" recorded request(s) presented what it answers:\n\n");
      for (LoginFlow.Link link : l.links()) {
        sb.append("- `").append(SpecReport.mdCode(link.source().describe())).append("` as `")
            .append(SpecReport.mdCode(link.form().describe())).append("`\n");
      }
      if (!l.credentials().isEmpty()) {
        sb.append("\n| credential | system property | environment variable | when not given |\n| --- | --- | --- | --- |\n");
        for (Plan.Cred c : l.credentials()) {
          sb.append("| `").append(SpecReport.mdCode(c.name())).append("` | `").append(c.property()).append("` | `")
              .append(c.env()).append("` | ").append(c.recorded() == null ? "required: a test that logs in fails naming it"
                  : "the recorded `" + SpecReport.mdCode(c.recorded()) + "`").append(" |\n");
        }
      }
    }
    if (rejected > 0) {
      sb.append("\nNot written: ").append(rejected).append(" scenario(s) ").append(REJECTED).append(".\n");
    }
    return sb.toString();
  }

  /**
   * Why no request is sent logged in although requests presented credentials, or null: nothing
   * linked them to a login (a key given out of band), or they were redacted without a hash key.
   */
  @Nullable String hint() {
    if (!logins.isEmpty()) {
      return null;
    }
    if (flows.unkeyed() > 0) {
      return flows.unkeyed() + " recorded request(s) presented credentials redacted without a hash key, so none can be"
          + " linked to a login: record through tapline proxy --redact-key-file FILE (tapline up keeps a key in its data"
          + " directory); meanwhile the tests send what tapline.headers holds";
    }
    if (!flows.unlinked().isEmpty()) {
      return "recorded requests presented credentials (" + String.join(", ", flows.unlinked().keySet())
          + ") that no recorded response issued: the tests send what tapline.headers holds, or give --auth client-credentials";
    }
    return null;
  }
}
