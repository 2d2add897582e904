package dev.tapline.replay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Response;
import dev.tapline.core.auth.ClientCredentials;
import dev.tapline.core.auth.CredentialForm;
import dev.tapline.core.auth.Credentials;
import dev.tapline.core.auth.LoginFlow;
import dev.tapline.core.auth.MissingCredentialsException;
import dev.tapline.core.endpoint.EndpointKey;
import dev.tapline.replay.Sender.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The logins of one replay ({@link ReplayAuth}), per side: each side logs in the same way, on its
 * own URL (and the sandbox with its routing key), the first time a request needs it; what it got
 * is presented on the requests whose recording presented credentials that way; a request answered
 * 401 makes its side log in again (once for every request that saw the old credentials) and is sent
 * once more. A login that fails becomes that request's failure on that side, as a refused connection
 * would.
 */
final class Sessions implements AutoCloseable {
  enum Side {
    BASELINE,
    SANDBOX;

    String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A login that did not give credentials: the reason names the side and what answered. */
  static final class LoginFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LoginFailed(String message) {
      super(message, null, false, false);
    }
  }

  private final ReplayAuth auth;
  private final Targets targets;
  private final Sender sender;
  private final Duration timeout;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final AtomicLong[] logins = {new AtomicLong(), new AtomicLong()};
  private final ExecutorService relogins = Executors.newVirtualThreadPerTaskExecutor();

  Sessions(ReplayAuth auth, Targets targets, Sender sender, Duration timeout) {
    this.auth = auth;
    this.targets = targets;
    this.sender = sender;
    this.timeout = timeout;
  }

  /**
   * Fails before anything is sent when the run lacks a credential a login needs.
   *
   * @throws ReplayInputException naming each missing credential and where to give it
   */
  void check() {
    try {
      switch (auth) {
        case ReplayAuth.FromRecording r -> {
          if (r.flows().isEmpty()) {
            throw new ReplayInputException("--auth-from-recording found no login in the recording: no recorded response"
                + " issued a credential a later request presented (record through tapline proxy --redact-key-file, and"
                + " select the login requests too)");
          }
          r.flows().flows().forEach(f -> f.body(r.credentials()));
        }
        case ReplayAuth.Client c -> c.grant().secret(c.credentials());
        case ReplayAuth.Command c -> { }
        case ReplayAuth.None n -> { }
      }
    } catch (MissingCredentialsException e) {
      throw new ReplayInputException(e.getMessage(), e);
    }
  }

  /** Why a recorded exchange is not replayed (it is one of the logins), or null. */
  @Nullable String notReplayed(EndpointKey endpoint) {
    if (auth instanceof ReplayAuth.FromRecording r) {
      for (LoginFlow f : r.flows().flows()) {
        if (f.endpoint().equals(endpoint)) {
          return "logins not replayed (each side logs in itself)";
        }
      }
    }
    return null;
  }

  /** How often each side logged in. */
  long logins(Side side) {
    return logins[side.ordinal()].get();
  }

  /**
   * Sends the recorded request to one side, logged in the way the recording was; after a 401, logs
   * in again and sends it once more.
   *
   * @throws IllegalArgumentException when the recorded path is not a valid URI
   */
  CompletableFuture<Reply> send(Side side, Exchange e) {
    URI base = side == Side.BASELINE ? targets.baseline() : targets.sandbox();
    String routingKey = side == Side.BASELINE ? null : targets.routingKey();
    Session session = sessionFor(side, e);
    if (session == null) {
      return sender.send(sender.request(base, e, routingKey));
    }
    sender.request(base, e, routingKey); // a recorded path that is no URI fails here, before any login
    List<Credentials.Presented> presented = Credentials.presented(e.request());
    Presented used;
    try {
      used = session.current(null);
    } catch (LoginFailed f) {
      return CompletableFuture.completedFuture(new Reply.Failed(f.getMessage(), false));
    }
    Map<CredentialForm, String> presenting = used.forRequest(presented);
    return sender.send(sender.request(base, e, routingKey, presenting)).thenCompose(r -> {
      if (!(r instanceof Reply.Ok ok) || ok.response().status() != 401 || presenting.isEmpty()) {
        return CompletableFuture.completedFuture(r);
      }
      return CompletableFuture.supplyAsync(() -> session.current(used), relogins)
          .thenCompose(fresh -> sender.send(sender.request(base, e, routingKey, fresh.forRequest(presented))))
          .exceptionally(t -> new Reply.Failed(t.getCause() instanceof LoginFailed f ? f.getMessage() : Sender.describe(t), false));
    });
  }

  private @Nullable Session sessionFor(Side side, Exchange e) {
    String key = switch (auth) {
      case ReplayAuth.None n -> null;
      case ReplayAuth.FromRecording r -> {
        LoginFlow f = r.flows().flowFor(e.request());
        yield f == null ? null : f.name();
      }
      case ReplayAuth.Client c -> Credentials.presented(e.request()).stream()
          .anyMatch(p -> p.form().key().equals("header:authorization")) ? "client-credentials" : null;
      case ReplayAuth.Command c -> Credentials.presented(e.request()).isEmpty() ? null : "command";
    };
    if (key == null) {
      return null;
    }
    return sessions.computeIfAbsent(side.name() + " " + key, k -> new Session(side, key));
  }

  /** What a login gives the requests, by how they present it. */
  record Presented(Map<CredentialForm, String> values, boolean onlyAsRecorded) {
    /**
     * What goes on one request: everything, or (a command's header) only what the recording
     * presented that way: the header of that name, or a {@code Cookie} where there were cookies.
     */
    Map<CredentialForm, String> forRequest(List<Credentials.Presented> presented) {
      if (!onlyAsRecorded) {
        return values;
      }
      Map<CredentialForm, String> out = new LinkedHashMap<>();
      values.forEach((form, value) -> {
        boolean cookie = form.key().equals("header:cookie");
        if (presented.stream().anyMatch(p -> cookie ? p.form() instanceof CredentialForm.Cookie : p.form().key().equals(form.key()))) {
          out.put(form, value);
        }
      });
      return out;
    }
  }

  /** One side's login of one kind: logs in when first needed, and again for whoever saw the current one refused. */
  private final class Session {
    private final Side side;
    private final String key;
    private @Nullable Presented current;

    Session(Side side, String key) {
      this.side = side;
      this.key = key;
    }

    synchronized Presented current(@Nullable Presented stale) {
      if (current == null || current == stale) {
        current = logIn(side, key);
        logins[side.ordinal()].incrementAndGet();
      }
      return current;
    }
  }

  private Presented logIn(Side side, String key) {
    URI base = side == Side.BASELINE ? targets.baseline() : targets.sandbox();
    String routingKey = side == Side.BASELINE ? null : targets.routingKey();
    return switch (auth) {
      case ReplayAuth.FromRecording r -> {
        LoginFlow flow = r.flows().flows().stream().filter(f -> f.name().equals(key)).findFirst().orElseThrow();
        String body = flow.body(r.credentials());
        Response answer = call(side, flow.display(), sender.login(base, flow.method(),
            flow.path() + (flow.rawQuery() == null ? "" : "?" + flow.rawQuery()), flow.contentType(),
            body == null ? null : body.getBytes(StandardCharsets.UTF_8), routingKey));
        try {
          yield new Presented(flow.tokens(answer), false);
        } catch (IllegalStateException e) {
          throw new LoginFailed(side.wireName() + " login failed: " + e.getMessage());
        }
      }
      case ReplayAuth.Client c -> {
        ClientCredentials g = c.grant();
        String form = "grant_type=client_credentials&client_id=" + enc(g.clientId(c.credentials()))
            + "&client_secret=" + enc(g.secret(c.credentials())) + (g.scope() == null ? "" : "&scope=" + enc(g.scope()));
        URI url = g.tokenUrl(base);
        Response answer = call(side, "POST " + url, sender.login(url, "POST", "", "application/x-www-form-urlencoded",
            form.getBytes(StandardCharsets.UTF_8), g.tokenUrl().isAbsolute() ? null : routingKey));
        String token = accessToken(answer);
        if (token == null) {
          throw new LoginFailed(side.wireName() + " login failed: POST " + url + " answered " + answer.status()
              + " without access_token" + excerpt(answer));
        }
        yield new Presented(Map.of(new CredentialForm.Header("Authorization", "Bearer "), "Bearer " + token), false);
      }
      case ReplayAuth.Command c -> command(c.command(), side, base, routingKey);
      case ReplayAuth.None n -> throw new IllegalStateException("no login without auth");
    };
  }

  private Response call(Side side, String what, HttpRequest request) {
    Reply reply = sender.send(request).join();
    return switch (reply) {
      case Reply.Ok ok -> ok.response();
      case Reply.Failed f -> throw new LoginFailed(side.wireName() + " login failed: " + what + ": " + f.reason());
    };
  }

  private Presented command(String command, Side side, URI base, @Nullable String routingKey) {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(false);
    pb.environment().put("TAPLINE_AUTH_SIDE", side.wireName());
    pb.environment().put("TAPLINE_AUTH_BASE_URL", base.toString());
    if (routingKey != null) {
      pb.environment().put("TAPLINE_AUTH_ROUTING_KEY", routingKey);
    }
    String where = side.wireName() + " login failed: --auth-command ";
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new LoginFailed(where + "could not start: " + e.getMessage());
    }
    try (InputStream out = p.getInputStream(); InputStream err = p.getErrorStream()) {
      CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readQuietly(err), relogins);
      byte[] stdout = out.readNBytes(64 * 1024);
      if (!p.waitFor(Math.max(timeout.toMillis(), 1000), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new LoginFailed(where + "did not finish within " + timeout);
      }
      if (p.exitValue() != 0) {
        String e = new String(stderr.join(), StandardCharsets.UTF_8).strip();
        throw new LoginFailed(where + "exited with " + p.exitValue() + (e.isEmpty() ? "" : ": " + firstLine(e)));
      }
      for (String line : new String(stdout, StandardCharsets.UTF_8).split("\\R")) {
        if (line.isBlank()) {
          continue;
        }
        int colon = line.indexOf(':');
        String name = colon <= 0 ? "" : line.substring(0, colon).trim();
        if (name.isEmpty() || !name.chars().allMatch(ch -> ch > 32 && ch < 127)) {
          throw new LoginFailed(where + "must print a header such as 'Authorization: Bearer ...' on its first line");
        }
        return new Presented(Map.of(new CredentialForm.Header(name, ""), line.substring(colon + 1).trim()), true);
      }
      throw new LoginFailed(where + "printed nothing: it must print a header such as 'Authorization: Bearer ...'");
    } catch (IOException e) {
      throw new LoginFailed(where + "could not be read: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new LoginFailed(where + "was interrupted");
    }
  }

  private static byte[] readQuietly(InputStream in) {
    try {
      return in.readNBytes(8 * 1024);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private static String firstLine(String s) {
    String line = s.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  private static @Nullable String accessToken(Response r) {
    String text = r.body().textOrNull();
    if (text == null || r.status() / 100 != 2) {
      return null;
    }
    try {
      JsonNode n = ExchangeCodec.readTree(text).get("access_token");
      return n == null || !n.isTextual() || n.textValue().isEmpty() ? null : n.textValue();
    } catch (Exception e) {
      return null;
    }
  }

  private static String excerpt(Response r) {
    String text = r.body().textOrNull();
    if (text == null || text.isBlank()) {
      return "";
    }
    return ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    relogins.shutdownNow();
  }
}
