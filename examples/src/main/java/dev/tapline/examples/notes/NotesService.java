package dev.tapline.examples.notes;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A notes service that requires logging in, with the habits of real ones: short-lived opaque bearer
 * tokens from {@code POST /login} (JSON) and from the OAuth2 client-credentials grant ({@code POST
 * /oauth/token}, a form), answers in OAuth2's shape ({@code access_token}, {@code token_type}, {@code
 * expires_in}; errors {@code invalid_grant}, {@code invalid_client}, {@code invalid_token} with a
 * {@code WWW-Authenticate} challenge), and a second route family behind a session cookie from a
 * form login, with an HTML page among its JSON.
 *
 * <pre>{@code
 * try (NotesService notes = NotesService.builder().user("ann", "correct-horse").tokenTtl(Duration.ofSeconds(2)).start()) {
 *   URI base = notes.baseUri();   // http://127.0.0.1:PORT
 *   // POST /login {"username":"ann","password":"correct-horse"} -> {"access_token":"...","expires_in":2,...}
 *   // GET /api/notes  Authorization: Bearer <token>                -> 200 [...]
 * }
 * }</pre>
 *
 * <p>Routes: {@code POST /login}; {@code POST /oauth/token} ({@code grant_type=client_credentials},
 * the client's id and secret in the form or as HTTP Basic); with a bearer token: {@code GET /api/me},
 * {@code GET|POST /api/notes}, {@code GET|PUT|DELETE /api/notes/{noteId}} (each principal sees its
 * own notes); {@code POST|DELETE /web/session} (a form login setting the cookie {@value #SESSION_COOKIE},
 * and the logout clearing it); with that cookie: {@code GET /web/profile} (JSON) and {@code GET
 * /web/notes} (HTML). A missing credential is a 401 that says how to log in; an expired one a 401
 * {@code invalid_token}. Tokens live {@link Builder#tokenTtl} (default 5 minutes), sessions {@link
 * Builder#sessionTtl} (default 30 minutes): a test run that outlives them must log in again.
 *
 * <p>{@link Version#V2} renames {@code displayName} to {@code name} in {@code /api/me}, {@code
 * /web/profile} and the login's answer: drift a sandbox shows, visible only when logged in.
 */
public final class NotesService implements AutoCloseable {
  /** V1 is the baseline; V2 renames {@code displayName}. */
  public enum Version {
    V1,
    V2
  }

  public static final String SESSION_COOKIE = "NOTES_SESSION";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 64 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Principal(String name, String displayName) {}

  private record Grant(Principal principal, Instant expires, AtomicInteger uses) {
    Grant(Principal principal, Instant expires) {
      this(principal, expires, new AtomicInteger());
    }
  }

  private record Note(int id, String owner, String title, String body, Instant createdAt, Instant updatedAt) {}

  private record Answer(int status, @Nullable String contentType, byte @Nullable [] body, Map<String, String> headers) {
    static Answer json(int status, JsonNode body, Map<String, String> headers) {
      try {
        return new Answer(status, "application/json", JSON.writeValueAsBytes(body), headers);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** An error answer, thrown from a route. */
  private static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Answer answer;

    Refusal(int status, String error, String description, Map<String, String> headers) {
      super(error, null, false, false);
      this.answer = Answer.json(status, JSON.createObjectNode().put("error", error).put("error_description", description),
          headers);
    }
  }

  private final Version version;
  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, String> users;
  private final Map<String, String> clients;
  private final Duration tokenTtl;
  private final Duration sessionTtl;
  private final int maxUses;
  private final Map<String, Grant> tokens = new ConcurrentHashMap<>();
  private final Map<String, Grant> sessions = new ConcurrentHashMap<>();
  private final TreeMap<Integer, Note> notes = new TreeMap<>();
  private int nextId = 1;
  private final AtomicLong logins = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();
  private final AtomicLong authorized = new AtomicLong();

  private NotesService(Builder b, HttpServer server, ExecutorService executor) {
    this.version = b.version;
    this.server = server;
    this.executor = executor;
    this.users = Map.copyOf(b.users);
    this.clients = Map.copyOf(b.clients);
    this.tokenTtl = b.tokenTtl;
    this.sessionTtl = b.sessionTtl;
    this.maxUses = b.maxUses;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How a {@link NotesService} starts: who may log in, how long what they get lives. */
  public static final class Builder {
    private Version version = Version.V1;
    private String host = "127.0.0.1";
    private int port;
    private final Map<String, String> users = new LinkedHashMap<>();
    private final Map<String, String> clients = new LinkedHashMap<>();
    private Duration tokenTtl = Duration.ofMinutes(5);
    private Duration sessionTtl = Duration.ofMinutes(30);
    private int maxUses;

    private Builder() {}

    public Builder version(Version v) {
      this.version = requireNonNull(v, "version");
      return this;
    }

    /** Where to listen; port 0 (the default) picks a free one on 127.0.0.1. */
    public Builder listen(String host, int port) {
      this.host = requireNonNull(host, "host");
      this.port = port;
      return this;
    }

    /** A user who may log in with {@code POST /login} and {@code POST /web/session}. */
    public Builder user(String name, String password) {
      users.put(requireNonNull(name, "name"), requireNonNull(password, "password"));
      return this;
    }

    /** A client of the client-credentials grant at {@code POST /oauth/token}. */
    public Builder client(String id, String secret) {
      clients.put(requireNonNull(id, "id"), requireNonNull(secret, "secret"));
      return this;
    }

    /** How long a bearer token is accepted; default 5 minutes. */
    public Builder tokenTtl(Duration ttl) {
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("tokenTtl must be positive: " + ttl);
      }
      this.tokenTtl = ttl;
      return this;
    }

    /** How long a session cookie is accepted; default 30 minutes. */
    public Builder sessionTtl(Duration ttl) {
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("sessionTtl must be positive: " + ttl);
      }
      this.sessionTtl = ttl;
      return this;
    }

    /**
     * How many requests a bearer token or session cookie is accepted for before it is answered as
     * expired, as if its time were up: a test of refreshing that does not depend on how fast the
     * requests come; 0 (the default) for no limit.
     */
    public Builder maxUses(int uses) {
      if (uses < 0) {
        throw new IllegalArgumentException("maxUses must not be negative: " + uses);
      }
      this.maxUses = uses;
      return this;
    }

    public NotesService start() {
      try {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 256);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        NotesService service = new NotesService(this, server, executor);
        server.createContext("/", service::handle);
        server.setExecutor(executor);
        server.start();
        return service;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
      }
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public Version version() {
    return version;
  }

  /** Successful logins so far: {@code POST /login}, {@code POST /web/session} and client-credentials tokens. */
  public long logins() {
    return logins.get();
  }

  /** Requests refused because their token or session had expired. */
  public long expiredRejections() {
    return expired.get();
  }

  /** Requests answered with a valid token or session. */
  public long authorizedRequests() {
    return authorized.get();
  }

  /** Revokes every token and session, as a logout everywhere or a key rotation does: the next use is a 401. */
  public void revokeAll() {
    tokens.clear();
    sessions.clear();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** {@code java -cp tapline.jar dev.tapline.examples.notes.NotesService PORT USER PASSWORD [TTL_SECONDS]}. */
  public static void main(String[] args) throws InterruptedException {
    if (args.length < 3 || args.length > 4) {
      System.err.println("usage: NotesService PORT USER PASSWORD [TOKEN_TTL_SECONDS]");
      System.exit(2);
    }
    Builder b = builder().listen("127.0.0.1", Integer.parseInt(args[0])).user(args[1], args[2]);
    if (args.length == 4) {
      b.tokenTtl(Duration.ofSeconds(Long.parseLong(args[3])));
    }
    NotesService s = b.start();
    System.out.println("notes listening on " + s.baseUri());
    Runtime.getRuntime().addShutdownHook(new Thread(s::close));
    Thread.currentThread().join();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      Answer answer;
      try {
        answer = route(ex, ex.getRequestMethod().toUpperCase(Locale.ROOT), ex.getRequestURI().getRawPath());
      } catch (Refusal r) {
        answer = r.answer;
      } catch (RuntimeException e) {
        answer = Answer.json(500, JSON.createObjectNode().put("error", "server_error")
            .put("error_description", String.valueOf(e.getMessage())), Map.of());
      }
      send(ex, answer);
    }
  }

  private Answer route(HttpExchange ex, String method, String path) throws IOException {
    switch (path) {
      case "/login" -> {
        allow(method, "POST");
        return login(json(ex));
      }
      case "/oauth/token" -> {
        allow(method, "POST");
        return token(ex, form(ex));
      }
      case "/web/session" -> {
        allow(method, "POST", "DELETE");
        return method.equals("POST") ? webLogin(form(ex)) : webLogout(ex);
      }
      case "/web/profile" -> {
        allow(method, "GET");
        Principal p = session(ex);
        ObjectNode body = profile(p);
        synchronized (notes) {
          body.put("notes", notes.values().stream().filter(n -> n.owner().equals(p.name())).count());
        }
        return Answer.json(200, body, Map.of());
      }
      case "/web/notes" -> {
        allow(method, "GET");
        Principal p = session(ex);
        StringBuilder html = new StringBuilder("<!doctype html>\n<html><head><title>Notes</title></head><body>\n<h1>Notes of ")
            .append(escape(p.displayName())).append("</h1>\n<ul>\n");
        synchronized (notes) {
          notes.values().stream().filter(n -> n.owner().equals(p.name()))
              .forEach(n -> html.append("<li>").append(escape(n.title())).append("</li>\n"));
        }
        html.append("</ul>\n</body></html>\n");
        return new Answer(200, "text/html; charset=utf-8", html.toString().getBytes(StandardCharsets.UTF_8), Map.of());
      }
      case "/api/me" -> {
        allow(method, "GET");
        return Answer.json(200, profile(bearer(ex)), Map.of());
      }
      case "/api/notes" -> {
        allow(method, "GET", "POST");
        Principal p = bearer(ex);
        if (method.equals("GET")) {
          ArrayNode list = JSON.createArrayNode();
          synchronized (notes) {
            notes.descendingMap().values().stream().filter(n -> n.owner().equals(p.name())).forEach(n -> list.add(view(n)));
          }
          return Answer.json(200, list, Map.of());
        }
        ObjectNode in = json(ex);
        Note n;
        synchronized (notes) {
          Instant now = Instant.now();
          n = new Note(nextId++, p.name(), text(in, "title", true), text(in, "body", false), now, now);
          notes.put(n.id(), n);
        }
        return Answer.json(201, view(n), Map.of("Location", "/api/notes/" + n.id()));
      }
      default -> {
        if (path.startsWith("/api/notes/")) {
          allow(method, "GET", "PUT", "DELETE");
          Principal p = bearer(ex);
          return note(ex, method, p, path.substring("/api/notes/".length()));
        }
        throw new Refusal(404, "not_found", "No route " + method + " " + path, Map.of());
      }
    }
  }

  private Answer note(HttpExchange ex, String method, Principal p, String rawId) throws IOException {
    int id;
    try {
      id = Integer.parseInt(rawId);
    } catch (NumberFormatException e) {
      throw new Refusal(404, "not_found", "No note " + rawId, Map.of());
    }
    ObjectNode in = method.equals("PUT") ? json(ex) : null;
    synchronized (notes) {
      Note n = notes.get(id);
      if (n == null || !n.owner().equals(p.name())) {
        throw new Refusal(404, "not_found", "No note " + id, Map.of());
      }
      switch (method) {
        case "GET" -> {
          return Answer.json(200, view(n), Map.of());
        }
        case "DELETE" -> {
          notes.remove(id);
          return new Answer(204, null, null, Map.of());
        }
        default -> {
          Note updated = new Note(id, n.owner(), text(in, "title", true), text(in, "body", false), n.createdAt(), Instant.now());
          notes.put(id, updated);
          return Answer.json(200, view(updated), Map.of());
        }
      }
    }
  }

  private Answer login(ObjectNode in) {
    String user = text(in, "username", true);
    String password = text(in, "password", true);
    if (!password.equals(users.get(user))) {
      throw new Refusal(401, "invalid_grant", "Wrong username or password", Map.of());
    }
    Principal p = principal(user);
    return Answer.json(200, issue(p).set("user", profile(p)), Map.of("Cache-Control", "no-store"));
  }

  private Answer token(HttpExchange ex, Map<String, String> form) {
    if (!"client_credentials".equals(form.get("grant_type"))) {
      throw new Refusal(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported here", Map.of());
    }
    String id = form.get("client_id");
    String secret = form.get("client_secret");
    String basic = ex.getRequestHeaders().getFirst("Authorization");
    if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
      String[] pair = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8).split(":", 2);
      id = URLDecoder.decode(pair[0], StandardCharsets.UTF_8);
      secret = pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : "";
    }
    if (id == null || secret == null || !secret.equals(clients.get(id))) {
      throw new Refusal(401, "invalid_client", "Client authentication failed",
          Map.of("WWW-Authenticate", "Basic realm=\"notes\""));
    }
    ObjectNode body = issue(new Principal("client:" + id, id));
    body.put("scope", form.getOrDefault("scope", "notes"));
    return Answer.json(200, body, Map.of("Cache-Control", "no-store"));
  }

  private ObjectNode issue(Principal p) {
    String token = randomToken();
    tokens.put(token, new Grant(p, Instant.now().plus(tokenTtl)));
    logins.incrementAndGet();
    return JSON.createObjectNode().put("access_token", token).put("token_type", "Bearer")
        .put("expires_in", Math.max(1, tokenTtl.toSeconds()));
  }

  private Answer webLogin(Map<String, String> form) {
    String user = form.get("username");
    String password = form.get("password");
    if (user == null || password == null || !password.equals(users.get(user))) {
      throw new Refusal(401, "invalid_grant", "Wrong username or password", Map.of());
    }
    Principal p = principal(user);
    String sid = randomToken();
    sessions.put(sid, new Grant(p, Instant.now().plus(sessionTtl)));
    logins.incrementAndGet();
    return Answer.json(200, profile(p), Map.of("Set-Cookie", SESSION_COOKIE + "=" + sid + "; Path=/web; Max-Age="
        + sessionTtl.toSeconds() + "; HttpOnly; SameSite=Lax"));
  }

  private Answer webLogout(HttpExchange ex) {
    String sid = cookie(ex);
    if (sid != null) {
      sessions.remove(sid);
    }
    return new Answer(204, null, null, Map.of("Set-Cookie", SESSION_COOKIE + "=; Path=/web; Max-Age=0; HttpOnly; SameSite=Lax"));
  }

  private Principal bearer(HttpExchange ex) {
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new Refusal(401, "unauthorized", "Log in first: POST /login, then send Authorization: Bearer <access_token>",
          Map.of("WWW-Authenticate", "Bearer realm=\"notes\""));
    }
    return granted(tokens, header.substring(7).trim(), "Bearer realm=\"notes\", error=\"invalid_token\"");
  }

  private Principal session(HttpExchange ex) {
    String sid = cookie(ex);
    if (sid == null) {
      throw new Refusal(401, "unauthorized", "Log in first: POST /web/session", Map.of());
    }
    return granted(sessions, sid, null);
  }

  private Principal granted(Map<String, Grant> grants, String key, @Nullable String challenge) {
    Grant g = grants.get(key);
    Map<String, String> headers = challenge == null ? Map.of() : Map.of("WWW-Authenticate", challenge);
    if (g == null) {
      throw new Refusal(401, "invalid_token", "Unknown or revoked credential", headers);
    }
    if (Instant.now().isAfter(g.expires()) || (maxUses > 0 && g.uses().incrementAndGet() > maxUses)) {
      grants.remove(key);
      expired.incrementAndGet();
      throw new Refusal(401, "invalid_token", "The credential expired", headers);
    }
    authorized.incrementAndGet();
    return g.principal();
  }

  private @Nullable String cookie(HttpExchange ex) {
    for (String header : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).trim().equals(SESSION_COOKIE)) {
          String v = pair.substring(eq + 1).trim();
          return v.isEmpty() ? null : v;
        }
      }
    }
    return null;
  }

  private Principal principal(String user) {
    return new Principal(user, Character.toUpperCase(user.charAt(0)) + user.substring(1) + " Example");
  }

  private ObjectNode profile(Principal p) {
    ObjectNode o = JSON.createObjectNode().put("username", p.name());
    o.put(version == Version.V1 ? "displayName" : "name", p.displayName());
    return o;
  }

  private static ObjectNode view(Note n) {
    return JSON.createObjectNode().put("id", n.id()).put("title", n.title()).put("body", n.body())
        .put("owner", n.owner()).put("createdAt", n.createdAt().toString()).put("updatedAt", n.updatedAt().toString());
  }

  private static String text(@Nullable ObjectNode in, String field, boolean required) {
    JsonNode v = in == null ? null : in.get(field);
    if (v == null || v.isNull() || v.isTextual() && v.textValue().isBlank()) {
      if (required) {
        throw new Refusal(400, "invalid_request", field + " is required", Map.of());
      }
      return "";
    }
    if (!v.isTextual()) {
      throw new Refusal(400, "invalid_request", field + " must be a string", Map.of());
    }
    return v.textValue();
  }

  private static void allow(String method, String... allowed) {
    for (String a : allowed) {
      if (a.equals(method)) {
        return;
      }
    }
    throw new Refusal(405, "method_not_allowed", method + " is not allowed here", Map.of("Allow", String.join(", ", allowed)));
  }

  private static ObjectNode json(HttpExchange ex) throws IOException {
    String ct = ex.getRequestHeaders().getFirst("Content-Type");
    if (ct == null || !ct.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new Refusal(415, "invalid_request", "Send application/json", Map.of());
    }
    JsonNode n;
    try {
      n = JSON.readTree(body(ex));
    } catch (IOException e) {
      throw new Refusal(400, "invalid_request", "The body is not JSON", Map.of());
    }
    if (!(n instanceof ObjectNode o)) {
      throw new Refusal(400, "invalid_request", "The body must be a JSON object", Map.of());
    }
    return o;
  }

  private static Map<String, String> form(HttpExchange ex) throws IOException {
    String ct = ex.getRequestHeaders().getFirst("Content-Type");
    if (ct == null || !ct.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      throw new Refusal(415, "invalid_request", "Send application/x-www-form-urlencoded", Map.of());
    }
    Map<String, String> out = new HashMap<>();
    for (String pair : new String(body(ex), StandardCharsets.UTF_8).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static byte[] body(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(MAX_BODY + 1);
      if (b.length > MAX_BODY) {
        throw new Refusal(413, "invalid_request", "The body is larger than " + MAX_BODY + " bytes", Map.of());
      }
      return b;
    }
  }

  private static String randomToken() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static void send(HttpExchange ex, Answer a) throws IOException {
    a.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    if (a.body() == null || ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(a.status(), -1);
      return;
    }
    ex.getResponseHeaders().set("Content-Type", a.contentType());
    ex.sendResponseHeaders(a.status(), a.body().length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(a.body());
    }
  }
}
