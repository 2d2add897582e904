package dev.tapline.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Headers;
import dev.tapline.core.Ids;
import dev.tapline.core.Redactor;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import dev.tapline.core.endpoint.Endpoints;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AuthLinksTest {
  static final Redactor KEYED = Redactor.builder().hashKey("test-key".getBytes(StandardCharsets.UTF_8)).build();

  static Exchange exchange(String method, String path, Headers reqHeaders, Body reqBody, int status, Headers respHeaders,
      Body respBody) {
    Request req = new Request(method, "http", "api.test", path, null, reqHeaders, reqBody);
    return new Exchange(Ids.newId(), Ids.nowMicros(), 10, "notes", "p", null, Exchange.BASELINE, null, null, req,
        new Response(status, respHeaders, respBody), null, List.of());
  }

  static Exchange login(String token) {
    return KEYED.redact(exchange("POST", "/login", Headers.of("Content-Type", "application/json"),
        Body.text("application/json", "{\"username\":\"ann\",\"password\":\"s3cret-Pw\",\"remember\":true}"), 200,
        Headers.of("Content-Type", "application/json"),
        Body.text("application/json", "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":60}")));
  }

  static Exchange register(String token) {
    return KEYED.redact(exchange("POST", "/register", Headers.empty(),
        Body.text("application/json", "{\"email\":\"cy@example.com\",\"password\":\"other-Pw1\"}"), 201,
        Headers.empty(), Body.text("application/json", "{\"data\":{\"token\":\"" + token + "\"}}")));
  }

  static Exchange bearer(String path, String token, int status) {
    return KEYED.redact(exchange("GET", path, Headers.of("Authorization", "Bearer " + token), Body.empty(), status,
        Headers.empty(), Body.text("application/json", "{}")));
  }

  static Exchange session(String sid) {
    return KEYED.redact(exchange("POST", "/web/session", Headers.empty(),
        Body.text("application/x-www-form-urlencoded", "username=ann&password=s3cret-Pw"), 204,
        Headers.of("Set-Cookie", "SID=" + sid + "; Path=/web; HttpOnly"), Body.empty()));
  }

  static Exchange withCookie(String path, String sid) {
    return KEYED.redact(exchange("GET", path, Headers.of("Cookie", "SID=" + sid + "; theme=dark"), Body.empty(), 200,
        Headers.empty(), Body.text("application/json", "{}")));
  }

  static List<Exchange> recording() {
    List<Exchange> out = new ArrayList<>();
    out.add(register("tok-reg-1a2b3c4d"));
    out.add(bearer("/api/notes", "tok-reg-1a2b3c4d", 200));
    out.add(login("tok-login-9f8e7d6c"));
    for (int i = 0; i < 4; i++) {
      out.add(bearer("/api/notes/" + i, "tok-login-9f8e7d6c", 200));
    }
    out.add(login("tok-login-5a4b3c2d"));
    out.add(bearer("/api/notes", "tok-login-5a4b3c2d", 200));
    out.add(bearer("/api/notes", "tok-from-before-rec", 200));
    out.add(session("sid-77aa88bb99cc"));
    out.add(withCookie("/web/profile", "sid-77aa88bb99cc"));
    out.add(withCookie("/web/notes", "sid-77aa88bb99cc"));
    out.add(KEYED.redact(exchange("GET", "/api/health", Headers.of("X-Api-Key", "k-0123456789"), Body.empty(), 200,
        Headers.empty(), Body.empty())));
    out.add(Redactor.defaults().redact(bearer("/api/notes", "unkeyed-token-1", 200)));
    return out;
  }

  static AuthFlows flows(List<Exchange> exchanges) {
    AuthLinks links = new AuthLinks();
    Endpoints endpoints = Endpoints.defaults();
    for (Exchange e : exchanges) {
      links.accept(e, endpoints.resolve(e.service(), e.request()).key());
    }
    return links.flows();
  }

  @Test
  void linksTheBearerTokenToTheLoginThatIssuedMostAndTheCookieToTheSessionCreate() {
    AuthFlows flows = flows(recording());
    assertThat(flows.flows()).extracting(LoginFlow::name).containsExactly("login", "webSession");
    LoginFlow login = flows.flows().get(0);
    assertThat(login.display()).isEqualTo("POST /login");
    assertThat(login.links()).extracting(LoginFlow.Link::describe)
        .containsExactly("access_token -> Authorization: Bearer <token>");
    // Every request presenting an Authorization header belongs to it: the one whose token came from
    // /register, one from before the recording, and one redacted without a key.
    assertThat(login.uses()).isEqualTo(8);
    assertThat(login.credentials()).containsExactly(
        Credential.of("username", List.of("username"), "ann"), Credential.of("password", List.of("password"), null));
    LoginFlow web = flows.flows().get(1);
    assertThat(web.links()).extracting(LoginFlow.Link::describe).containsExactly("Set-Cookie SID -> cookie SID");
    assertThat(web.isForm()).isTrue();
    assertThat(flows.unlinked()).containsOnlyKeys("cookie:theme", "header:x-api-key");
    assertThat(flows.unkeyed()).isEqualTo(1);
    assertThat(flows.flowFor(recording().get(1).request())).isSameAs(login);
    assertThat(flows.flowFor(List.of("header:x-api-key", "cookie:SID"))).isSameAs(web);
  }

  @Test
  void theSameExchangesInAnyOrderGiveTheSameFlows() {
    List<Exchange> rec = recording();
    AuthFlows first = flows(rec);
    for (long seed = 1; seed <= 4; seed++) {
      Collections.shuffle(rec, new Random(seed));
      assertThat(flows(rec)).isEqualTo(first);
    }
  }

  @Test
  void theRunsCredentialsGoWhereTheRedactedOnesWereAndMissingOnesAreNamed() {
    AuthFlows flows = flows(recording());
    LoginFlow login = flows.flows().get(0);
    assertThat(login.body(CredentialSource.of(Map.of("tapline.auth.password", "pa\"ss"), (p, e) -> null)))
        .isEqualTo("{\"username\":\"ann\",\"password\":\"pa\\\"ss\",\"remember\":true}");
    assertThat(login.body(CredentialSource.of(Map.of("tapline.auth.password", "x", "tapline.auth.username", "bo"),
        (p, e) -> null))).startsWith("{\"username\":\"bo\"");
    assertThatThrownBy(() -> login.body((p, e) -> null)).isInstanceOf(MissingCredentialsException.class)
        .hasMessageStartingWith("the recorded login POST /login needs tapline.auth.password (or TAPLINE_AUTH_PASSWORD):");
    LoginFlow web = flows.flows().get(1);
    assertThat(web.body(CredentialSource.of(Map.of("tapline.auth.password", "a b&c"), (p, e) -> null)))
        .isEqualTo("username=ann&password=a+b%26c");
  }

  @Test
  void aLiveAnswerGivesTheValuesToPresentOrSaysWhatIsMissing() {
    AuthFlows flows = flows(recording());
    LoginFlow login = flows.flows().get(0);
    Response ok = new Response(200, Headers.empty(), Body.text("application/json", "{\"access_token\":\"live-1\"}"));
    assertThat(login.tokens(ok)).containsExactly(Map.entry(new CredentialForm.Header("Authorization", "Bearer "), "Bearer live-1"));
    Response refused = new Response(401, Headers.empty(), Body.text("application/json", "{\"error\":\"invalid_grant\"}"));
    assertThatThrownBy(() -> login.tokens(refused)).hasMessage(
        "POST /login answered 401 without access_token (the recording's answered 200): {\"error\":\"invalid_grant\"}");
    LoginFlow web = flows.flows().get(1);
    Response set = new Response(204, Headers.of("Set-Cookie", "SID=live-sid; Path=/web"), Body.empty());
    assertThat(web.tokens(set)).containsExactly(Map.entry(new CredentialForm.Cookie("SID"), "live-sid"));
  }

  @Test
  void credentialNamesBecomePropertiesAndVariables() {
    assertThat(Credential.env("password")).isEqualTo("TAPLINE_AUTH_PASSWORD");
    assertThat(Credential.env("clientId")).isEqualTo("TAPLINE_AUTH_CLIENT_ID");
    assertThat(Credential.env("client_secret")).isEqualTo("TAPLINE_AUTH_CLIENT_SECRET");
    assertThat(Credential.env("user.password")).isEqualTo("TAPLINE_AUTH_USER_PASSWORD");
    assertThat(Credential.property("client_secret")).isEqualTo("tapline.auth.client_secret");
    assertThat(AuthLinks.credentialsOf("application/json",
        "{\"user\":{\"email\":\"a@b.c\",\"password\":\"[REDACTED:0123456789ab]\"},\"admin\":{\"password\":\"[REDACTED]\"}}"))
        .extracting(Credential::name).containsExactly("email", "user.password", "admin.password");
  }

  @Test
  void withoutAHashKeyNothingLinks() {
    List<Exchange> plain = new ArrayList<>();
    for (Exchange e : recording()) {
      plain.add(Redactor.defaults().redact(e));
    }
    AuthFlows flows = flows(List.of(
        Redactor.defaults().redact(exchange("POST", "/login", Headers.empty(), Body.text("application/json", "{\"password\":\"x\"}"),
            200, Headers.empty(), Body.text("application/json", "{\"token\":\"abcdefgh12345\"}"))),
        Redactor.defaults().redact(exchange("GET", "/a", Headers.of("Authorization", "Bearer abcdefgh12345"), Body.empty(),
            200, Headers.empty(), Body.empty()))));
    assertThat(flows.isEmpty()).isTrue();
    assertThat(flows.unkeyed()).isEqualTo(1);
  }
}
