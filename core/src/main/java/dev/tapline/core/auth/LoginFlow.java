package dev.tapline.core.auth;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapline.core.Body;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Header;
import dev.tapline.core.Response;
import dev.tapline.core.endpoint.EndpointKey;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A login the recording shows: the request that issued credentials ({@code POST /login}, a token
 * endpoint, a session create) and how later requests presented what it issued. Found by {@link
 * AuthLinks}; testgen writes it into the generated support class, replay performs it on each side.
 *
 * <pre>{@code
 * LoginFlow login = flows.flows().get(0);
 * login.display();                               // POST /login
 * login.links();                                 // [access_token -> Authorization: Bearer <token>]
 * String body = login.body(CredentialSource.system());  // {"username":"ann","password":"<from the run>"}
 * Map<CredentialForm, String> live = login.tokens(response); // {Header(Authorization, "Bearer ")=Bearer eyJ...}
 * }</pre>
 *
 * @param name a short name from the login's path: {@code login}, {@code webSession}, {@code oauthToken}
 * @param endpoint the login's endpoint
 * @param exchangeId the recorded login this flow repeats (the first that issued what was used)
 * @param path the recorded path, as sent
 * @param body the recorded (redacted) request body as text, or null
 * @param status what the recorded login answered
 * @param links what the login issued and how later requests presented it, sorted by form
 * @param credentials what the run supplies in the login's body
 * @param uses how many recorded requests presented one of its credentials
 */
public record LoginFlow(
    String name,
    EndpointKey endpoint,
    String exchangeId,
    String method,
    String path,
    @Nullable String rawQuery,
    @Nullable String contentType,
    @Nullable String body,
    int status,
    List<Link> links,
    List<Credential> credentials,
    long uses) {

  /** What the login issued ({@code source}) and how requests presented it ({@code form}). */
  public record Link(TokenSource source, CredentialForm form) {
    public String describe() {
      return source.describe() + " -> " + form.describe();
    }
  }

  public LoginFlow {
    requireNonNull(name, "name");
    requireNonNull(endpoint, "endpoint");
    requireNonNull(exchangeId, "exchangeId");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    links = List.copyOf(requireNonNull(links, "links"));
    credentials = List.copyOf(requireNonNull(credentials, "credentials"));
    if (links.isEmpty()) {
      throw new IllegalArgumentException("a login flow needs at least one link");
    }
  }

  /** {@code POST /login}: the method and the whole path template. */
  public String display() {
    return endpoint.method() + " " + endpoint.path();
  }

  /** Whether the login's body is a form ({@code application/x-www-form-urlencoded}). */
  public boolean isForm() {
    return Body.isForm(contentType);
  }

  /** Whether the login's body is JSON. */
  public boolean isJson() {
    return Body.isJson(contentType);
  }

  /**
   * The login's body with the run's credentials in place of the recorded ones.
   *
   * @throws MissingCredentialsException naming every credential the run must give and did not
   */
  public @Nullable String body(CredentialSource source) {
    requireNonNull(source, "source");
    List<Credential> missing = new ArrayList<>();
    Map<Credential, String> values = new LinkedHashMap<>();
    for (Credential c : credentials) {
      String v = source.value(c);
      if (v == null) {
        missing.add(c);
      } else {
        values.put(c, v);
      }
    }
    if (!missing.isEmpty()) {
      throw new MissingCredentialsException("the recorded login " + display(), missing);
    }
    if (body == null || values.isEmpty()) {
      return body;
    }
    if (isForm()) {
      return form(body, values);
    }
    JsonNode root;
    try {
      root = ExchangeCodec.readTree(body);
    } catch (Exception e) {
      return body;
    }
    if (!(root instanceof ObjectNode tree)) {
      return body;
    }
    values.forEach((c, v) -> put(tree, c.path(), v));
    return tree.toString();
  }

  private static void put(ObjectNode tree, List<String> path, String value) {
    ObjectNode at = tree;
    for (int i = 0; i < path.size() - 1; i++) {
      JsonNode next = at.get(path.get(i));
      if (!(next instanceof ObjectNode o)) {
        return;
      }
      at = o;
    }
    at.put(path.get(path.size() - 1), value);
  }

  private static String form(String body, Map<Credential, String> values) {
    Map<String, String> byField = new LinkedHashMap<>();
    values.forEach((c, v) -> byField.put(c.path().get(0), v));
    List<String> pairs = new ArrayList<>();
    for (String pair : body.split("&", -1)) {
      int eq = pair.indexOf('=');
      String field = eq < 0 ? pair : URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = byField.get(field);
      pairs.add(v == null ? pair : pair.substring(0, eq < 0 ? pair.length() : eq) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
    }
    return String.join("&", pairs);
  }

  /**
   * What a live login answered, as each form presents it: the header value with its scheme ({@code
   * Bearer eyJ...}) or the cookie's value.
   *
   * @throws IllegalStateException when the answer lacks one of them (a failed login), naming it
   */
  public Map<CredentialForm, String> tokens(Response response) {
    requireNonNull(response, "response");
    Map<CredentialForm, String> out = new LinkedHashMap<>();
    JsonNode json = null;
    for (Link l : links) {
      String value = switch (l.source()) {
        case TokenSource.JsonField f -> {
          if (json == null) {
            String text = response.body().textOrNull();
            try {
              json = text == null ? null : ExchangeCodec.readTree(text);
            } catch (Exception e) {
              json = null;
            }
          }
          JsonNode n = json;
          for (String k : f.path()) {
            n = n == null ? null : n.get(k);
          }
          yield n == null || !n.isValueNode() || n.isNull() ? null : n.asText();
        }
        case TokenSource.SetCookie c -> cookie(response, c.name());
        case TokenSource.ResponseHeader h -> {
          String v = response.headers().first(h.name());
          if (v != null && l.form() instanceof CredentialForm.Header hf && !hf.prefix().isEmpty()
              && v.regionMatches(true, 0, hf.prefix(), 0, hf.prefix().length())) {
            v = v.substring(hf.prefix().length());
          }
          yield v;
        }
      };
      if (value == null || value.isEmpty()) {
        String answer = response.body().textOrNull();
        throw new IllegalStateException(display() + " answered " + response.status() + " without "
            + l.source().describe() + (response.status() == status ? "" : " (the recording's answered " + status + ")")
            + (answer == null || answer.isBlank() ? "" : ": " + (answer.length() > 300 ? answer.substring(0, 300) + "..." : answer)));
      }
      out.put(l.form(), l.form() instanceof CredentialForm.Header h ? h.prefix() + value : value);
    }
    return out;
  }

  private static @Nullable String cookie(Response response, String name) {
    for (Header h : response.headers().entries()) {
      if (h.name().equalsIgnoreCase("set-cookie")) {
        String first = h.value().split(";", 2)[0];
        int eq = first.indexOf('=');
        if (eq > 0 && first.substring(0, eq).trim().equals(name)) {
          String v = first.substring(eq + 1).trim();
          return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
        }
      }
    }
    return null;
  }

}
