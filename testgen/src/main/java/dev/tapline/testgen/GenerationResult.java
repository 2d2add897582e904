package dev.tapline.testgen;

import java.util.List;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * What one generation run did.
 *
 * @param files every generated file: path relative to the output directory (for example {@code
 *     java/com/acme/OrdersContractTest.java}) → content; sorted by path
 * @param exchangesRead exchanges read from the input (malformed lines not counted)
 * @param exchangesUsed exchanges that passed the filters and went into the inference
 * @param endpoints every endpoint seen, with its counts
 * @param scenariosWritten test methods written
 * @param skipped what was left out and why, aggregated by reason
 * @param verification what {@code --verify} removed, or null when the suite was not verified
 * @param authentication how the tests log in ({@link Authentication#none()} when they do not)
 */
public record GenerationResult(
    SortedMap<String, String> files,
    long exchangesRead,
    long exchangesUsed,
    List<EndpointSummary> endpoints,
    int scenariosWritten,
    List<Skipped> skipped,
    @Nullable Verification verification,
    Authentication authentication) {

  public GenerationResult {
    files = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(files));
    endpoints = List.copyOf(endpoints);
    skipped = List.copyOf(skipped);
    java.util.Objects.requireNonNull(authentication, "authentication");
  }

  /** A result that was not verified. */
  public GenerationResult(SortedMap<String, String> files, long exchangesRead, long exchangesUsed,
      List<EndpointSummary> endpoints, int scenariosWritten, List<Skipped> skipped) {
    this(files, exchangesRead, exchangesUsed, endpoints, scenariosWritten, skipped, null);
  }

  /** A result whose tests do not log in. */
  public GenerationResult(SortedMap<String, String> files, long exchangesRead, long exchangesUsed,
      List<EndpointSummary> endpoints, int scenariosWritten, List<Skipped> skipped, @Nullable Verification verification) {
    this(files, exchangesRead, exchangesUsed, endpoints, scenariosWritten, skipped, verification, Authentication.none());
  }

  /**
   * How the generated tests log in.
   *
   * @param logins each login they perform, as the support class names it
   * @param hint why none does although recorded requests presented credentials, or null
   */
  public record Authentication(List<Login> logins, @Nullable String hint) {
    private static final Authentication NONE = new Authentication(List.of(), null);

    public Authentication {
      logins = List.copyOf(logins);
    }

    public static Authentication none() {
      return NONE;
    }

    /**
     * One login.
     *
     * @param call what a test's request starts from, e.g. {@code TaplineTarget.authenticated()}
     * @param display e.g. {@code POST /login}
     * @param exchangeId the recorded login it repeats, or null (client credentials)
     * @param links what it answers and how requests present it: {@code access_token -> Authorization: Bearer <token>}
     * @param credentials where the run gives each credential, and whether it must: {@code
     *     tapline.auth.password (or TAPLINE_AUTH_PASSWORD), required}
     * @param uses recorded requests that presented its credentials
     */
    public record Login(String call, String display, @Nullable String exchangeId, List<String> links,
        List<String> credentials, long uses) {
      public Login {
        links = List.copyOf(links);
        credentials = List.copyOf(credentials);
      }
    }
  }

  /**
   * What verification against a live service changed.
   *
   * @param target where the suite ran
   * @param runs runs per round
   * @param rounds rounds until a whole round passed (or the last)
   * @param millis how long it took
   */
  public record Verification(String target, int runs, int rounds, long millis, List<Removed> removed,
      List<NotWritten> notWritten) {
    public Verification {
      removed = List.copyOf(removed);
      notWritten = List.copyOf(notWritten);
    }

    /** An assertion taken out of a test, with why. */
    public record Removed(String test, String what, String why) {}

    /** A test left out because it failed against the service it came from. */
    public record NotWritten(String test, String why) {}
  }

  /**
   * One endpoint.
   *
   * @param statuses the statuses seen, ascending
   * @param scenarios tests written for it
   */
  public record EndpointSummary(String service, String method, String pathTemplate,
      long exchanges, List<Integer> statuses, int scenarios) {}

  /** Something that was left out of generation; one bad exchange never stops the batch. */
  public sealed interface Skipped permits MalformedInput, UnusableExchanges, ScenariosOverLimit, FilteredOut {
    /** One line, e.g. for a summary on a terminal. */
    String describe();
  }

  /** A line of input that is not an exchange. */
  public record MalformedInput(String source, long line, String message) implements Skipped {
    @Override
    public String describe() {
      return source + ":" + line + ": " + message;
    }
  }

  /** Exchanges that could not become a scenario, by reason (no response, truncated body...). */
  public record UnusableExchanges(String reason, long count, List<String> exampleIds) implements Skipped {
    @Override
    public String describe() {
      return count + " exchange(s): " + reason + " (e.g. " + String.join(", ", exampleIds) + ")";
    }
  }

  /** Distinct scenarios of an endpoint beyond {@link GeneratorOptions#maxPerEndpoint()}. */
  public record ScenariosOverLimit(String endpoint, int notWritten) implements Skipped {
    @Override
    public String describe() {
      return endpoint + ": " + notWritten + " more distinct scenario(s) beyond --max-per-endpoint";
    }
  }

  /** Exchanges of another service or routing key than asked for. */
  public record FilteredOut(long count) implements Skipped {
    @Override
    public String describe() {
      return count + " exchange(s) of another service or routing key";
    }
  }
}
