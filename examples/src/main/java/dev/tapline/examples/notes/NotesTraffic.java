package dev.tapline.examples.notes;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A client of {@link NotesService} that behaves like real ones: it tries without logging in (401),
 * mistypes its password once (401), logs in, writes, reads, updates and deletes its notes, makes a
 * bad request and reads a missing note, keeps using its token until the service says it expired and
 * then logs in again; on the web routes it logs in with a form, reads its profile and notes page,
 * logs out and finds its old cookie refused. Every secret it saw or sent is in {@link
 * Result#secrets()}, so a test can search for them wherever the traffic went.
 *
 * <pre>{@code
 * NotesTraffic.Result r = NotesTraffic.run(proxyUri, "ann", "correct-horse", 6, Duration.ofMillis(400));
 * r.requests();   // how many requests were sent
 * r.secrets();    // the password, every access token and session cookie
 * }</pre>
 */
public final class NotesTraffic {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] TITLES = {"Groceries", "Call the vet", "Book club", "Tax forms", "Garden"};

  /**
   * @param requests how many requests were sent
   * @param byStatus how many answers each status got
   * @param secrets the password and every token and session cookie issued
   * @param relogins how often the client logged in again after a 401
   */
  public record Result(int requests, TreeMap<Integer, Integer> byStatus, Set<String> secrets, int relogins) {}

  private final URI base;
  private final String user;
  private final String password;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final TreeMap<Integer, Integer> byStatus = new TreeMap<>();
  private final Set<String> secrets = new LinkedHashSet<>();
  private int requests;
  private int relogins;
  private @Nullable String token;

  private NotesTraffic(URI base, String user, String password) {
    this.base = requireNonNull(base, "base");
    this.user = requireNonNull(user, "user");
    this.password = requireNonNull(password, "password");
    secrets.add(password);
  }

  /**
   * Sends the whole mix: the set-up calls, then {@code rounds} rounds of reads and writes with {@code
   * pause} between them (longer than the service's token lifetime, and the client logs in again).
   */
  public static Result run(URI base, String user, String password, int rounds, Duration pause) {
    NotesTraffic t = new NotesTraffic(base, user, password);
    try {
      t.api(rounds, pause);
      t.web();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("notes traffic failed after " + t.requests + " requests", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return new Result(t.requests, t.byStatus, Set.copyOf(t.secrets), t.relogins);
  }

  private void api(int rounds, Duration pause) throws IOException, InterruptedException {
    send("GET", "/api/notes", null, null, null);
    send("POST", "/login", "application/json", "{\"username\":\"" + user + "\",\"password\":\"not-" + password + "\"}", null);
    login();
    send("GET", "/api/me", null, null, token);
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JsonNode n = authed("POST", "/api/notes", "{\"title\":\"" + TITLES[i] + "\",\"body\":\"remember " + i + "\"}");
      ids.add(n.get("id").asInt());
    }
    authed("POST", "/api/notes", "{\"body\":\"no title\"}");
    authed("GET", "/api/notes", null);
    authed("GET", "/api/notes/" + ids.get(0), null);
    authed("PUT", "/api/notes/" + ids.get(1), "{\"title\":\"Call the vet today\",\"body\":\"at 5\"}");
    authed("DELETE", "/api/notes/" + ids.get(2), null);
    authed("GET", "/api/notes/" + ids.get(2), null);
    for (int r = 0; r < rounds; r++) {
      Thread.sleep(pause.toMillis());
      authed("GET", "/api/notes", null);
      authed("GET", "/api/notes/" + ids.get(r % 2), null);
      authed("GET", "/api/me", null);
      if (r % 2 == 0) {
        JsonNode n = authed("POST", "/api/notes", "{\"title\":\"" + TITLES[r % TITLES.length] + " " + r + "\",\"body\":\"\"}");
        authed("DELETE", "/api/notes/" + n.get("id").asInt(), null);
      }
    }
  }

  private void web() throws IOException, InterruptedException {
    send("GET", "/web/profile", null, null, null);
    send("POST", "/web/session", "application/x-www-form-urlencoded", form("not-" + password), null);
    HttpResponse<String> login = send("POST", "/web/session", "application/x-www-form-urlencoded", form(password), null);
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    String cookie = setCookie.split(";", 2)[0];
    secrets.add(cookie.substring(cookie.indexOf('=') + 1));
    sendCookie("GET", "/web/profile", cookie);
    sendCookie("GET", "/web/notes", cookie);
    // Meanwhile, in the app: one more note, which the profile counts.
    authed("POST", "/api/notes", "{\"title\":\"Pick up the parcel\",\"body\":\"\"}");
    sendCookie("GET", "/web/profile", cookie);
    sendCookie("DELETE", "/web/session", cookie);
    sendCookie("GET", "/web/profile", cookie);
  }

  private String form(String pw) {
    return "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password=" + URLEncoder.encode(pw, StandardCharsets.UTF_8);
  }

  private void login() throws IOException, InterruptedException {
    HttpResponse<String> r = send("POST", "/login", "application/json",
        "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}", null);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("POST /login answered " + r.statusCode() + ": " + r.body());
    }
    token = JSON.readTree(r.body()).get("access_token").asText();
    secrets.add(token);
  }

  /** A call with the token; logs in again once when it is refused as expired. */
  private JsonNode authed(String method, String path, @Nullable String json) throws IOException, InterruptedException {
    HttpResponse<String> r = send(method, path, json == null ? null : "application/json", json, token);
    if (r.statusCode() == 401) {
      relogins++;
      login();
      r = send(method, path, json == null ? null : "application/json", json, token);
    }
    return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body().startsWith("<") ? "null" : r.body());
  }

  private HttpResponse<String> sendCookie(String method, String path, String cookie) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Cookie", cookie + "; theme=dark")
        .method(method, HttpRequest.BodyPublishers.noBody());
    return count(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
  }

  private HttpResponse<String> send(String method, String path, @Nullable String contentType, @Nullable String body,
      @Nullable String bearer) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Accept", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return count(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
  }

  private HttpResponse<String> count(HttpResponse<String> r) {
    requests++;
    byStatus.merge(r.statusCode(), 1, Integer::sum);
    return r;
  }
}
