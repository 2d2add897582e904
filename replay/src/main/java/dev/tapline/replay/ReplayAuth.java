package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Exchange;
import dev.tapline.core.auth.AuthFlows;
import dev.tapline.core.auth.AuthLinks;
import dev.tapline.core.auth.ClientCredentials;
import dev.tapline.core.auth.CredentialSource;
import dev.tapline.core.endpoint.Endpoints;

/**
 * How a replay logs in. Recorded credentials are redacted and never sent; each side (baseline and
 * sandbox) logs in itself, the same way, keeps what it got, presents it on the requests whose
 * recording presented credentials that way, and logs in again when one is answered 401 (that request
 * is sent once more).
 *
 * <pre>{@code
 * AuthFlows flows;
 * try (ExchangeSource first = ExchangeSource.open(from, query, token, timeout)) {
 *   flows = ReplayAuth.scan(first, Endpoints.defaults());          // the logins of the recording
 * }
 * ReplayOptions o = ReplayOptions.builder().baselineAndSandbox(b, s)
 *     .auth(ReplayAuth.fromRecording(flows, CredentialSource.system()))   // tapline.auth.* / TAPLINE_AUTH_*
 *     .build();
 * }</pre>
 */
public sealed interface ReplayAuth permits ReplayAuth.None, ReplayAuth.FromRecording, ReplayAuth.Command,
    ReplayAuth.Client {

  /** No login (the default): credentials only from {@link ReplayOptions#headers()}. */
  record None() implements ReplayAuth {}

  /**
   * The logins of the recording ({@code --auth-from-recording}), performed on each side with the
   * run's credentials.
   */
  record FromRecording(AuthFlows flows, CredentialSource credentials) implements ReplayAuth {
    public FromRecording {
      requireNonNull(flows, "flows");
      requireNonNull(credentials, "credentials");
    }
  }

  /**
   * A command ({@code --auth-command CMD}, run with {@code sh -c}) that prints one header, {@code
   * Name: value}, on its first line: run once per side, with {@code TAPLINE_AUTH_SIDE} ({@code
   * baseline} or {@code sandbox}), {@code TAPLINE_AUTH_BASE_URL} and, for a routed sandbox, {@code
   * TAPLINE_AUTH_ROUTING_KEY} in its environment, and again after a 401. The header goes on every
   * request whose recording presented a (redacted) header of that name; a {@code Cookie} on those
   * that presented a cookie.
   */
  record Command(String command) implements ReplayAuth {
    public Command {
      requireNonNull(command, "command");
      if (command.isBlank()) {
        throw new IllegalArgumentException("the auth command must not be blank");
      }
    }
  }

  /**
   * The OAuth2 client-credentials grant ({@code --auth client-credentials}): its token goes as
   * {@code Authorization: Bearer <token>} on every request whose recording presented an {@code
   * Authorization} header.
   */
  record Client(ClientCredentials grant, CredentialSource credentials) implements ReplayAuth {
    public Client {
      requireNonNull(grant, "grant");
      requireNonNull(credentials, "credentials");
    }
  }

  static ReplayAuth none() {
    return new None();
  }

  static ReplayAuth fromRecording(AuthFlows flows, CredentialSource credentials) {
    return new FromRecording(flows, credentials);
  }

  static ReplayAuth command(String command) {
    return new Command(command);
  }

  static ReplayAuth clientCredentials(ClientCredentials grant, CredentialSource credentials) {
    return new Client(grant, credentials);
  }

  /**
   * The logins of a recording: reads every exchange of {@code source} (which the caller closes) once.
   * The replay reads the recording again; this pass only links credentials to the logins that issued
   * them.
   *
   * @throws ReplayInputException when the source is malformed
   */
  static AuthFlows scan(ExchangeSource source, Endpoints endpoints) {
    requireNonNull(source, "source");
    requireNonNull(endpoints, "endpoints");
    AuthLinks links = new AuthLinks();
    for (Exchange e; (e = source.next()) != null; ) {
      links.accept(e, endpoints.resolve(e.service(), e.request()).key());
    }
    return links.flows();
  }
}
