package dev.tapline.testgen;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Origin;
import java.nio.file.Path;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What {@link TestGenerator} generates and from which part of the traffic.
 *
 * <pre>{@code
 * GeneratorOptions o = GeneratorOptions.builder("com.acme.orders")
 *     .maxPerEndpoint(5).service("orders").openApi(Path.of("openapi.yaml")).build();
 * }</pre>
 *
 * @param packageName package of the generated classes; schemas go under its path on the classpath
 * @param maxPerEndpoint most scenarios (tests) written per endpoint, at least 1
 * @param service only exchanges of this service, or all when null
 * @param routingKey only exchanges with this routing key, or all when null
 * @param openApi an OpenAPI 3 document whose paths and operation ids win over the heuristics
 * @param sourceName what the header comment names as the source (a file name or URL), never a time
 * @param basePath where the service's resources sit, when the user says so; otherwise the spec's
 *     {@code servers} path or the recorded paths' common leading segments
 * @param origins whose traffic is used: live traffic only unless asked (never Tapline's own replay,
 *     test or verify requests by default)
 * @param auth how the generated tests log in: as the recording shows (the default), not at all, or
 *     with the OAuth2 client-credentials grant
 * @param graphqlSchema a GraphQL schema (SDL, or an introspection result as JSON) that types the
 *     {@code data} of GraphQL answers; without it, {@code data} is checked against what the recording
 *     showed
 */
public record GeneratorOptions(
    String packageName,
    int maxPerEndpoint,
    @Nullable String service,
    @Nullable String routingKey,
    @Nullable Path openApi,
    String sourceName,
    @Nullable String basePath,
    Set<Origin> origins,
    Auth auth,
    @Nullable Path graphqlSchema) {

  public static final int DEFAULT_MAX_PER_ENDPOINT = 5;

  /**
   * How the generated tests log in.
   *
   * <ul>
   *   <li>{@link FromRecording} (the default): as the recording shows. Logins are found by the keyed
   *       hashes of redaction ({@link dev.tapline.core.auth.AuthLinks}); the support class repeats
   *       each once per run with the run's credentials, and requests that presented its credentials
   *       present the fresh ones the same way. Without a login in the recording, tests send what
   *       {@code tapline.headers} holds, as always.
   *   <li>{@link None}: no login, whatever the recording shows; credentials come from {@code
   *       tapline.headers}.
   *   <li>{@link Client}: the OAuth2 client-credentials grant; requests that presented an {@code
   *       Authorization} header present its token. Other recorded logins (a session cookie) stay.
   * </ul>
   */
  public sealed interface Auth permits Auth.FromRecording, Auth.None, Auth.Client {
    /** As the recording shows (the default). */
    record FromRecording() implements Auth {}

    /** No login: credentials from {@code tapline.headers}. */
    record None() implements Auth {}

    /** The OAuth2 client-credentials grant. */
    record Client(dev.tapline.core.auth.ClientCredentials grant) implements Auth {
      public Client {
        requireNonNull(grant, "grant");
      }
    }

    static Auth fromRecording() {
      return new FromRecording();
    }

    static Auth none() {
      return new None();
    }

    static Auth clientCredentials(dev.tapline.core.auth.ClientCredentials grant) {
      return new Client(grant);
    }
  }

  public GeneratorOptions {
    Names.validPackage(requireNonNull(packageName, "packageName"));
    if (maxPerEndpoint < 1) {
      throw new IllegalArgumentException("maxPerEndpoint must be at least 1: " + maxPerEndpoint);
    }
    requireNonNull(sourceName, "sourceName");
    if (basePath != null && (basePath.contains("{") || basePath.contains("?") || basePath.contains("://"))) {
      throw new IllegalArgumentException("base path must be a plain path such as /shop/v1: " + basePath);
    }
    origins = Set.copyOf(requireNonNull(origins, "origins"));
    if (origins.isEmpty()) {
      throw new IllegalArgumentException("origins must name at least one origin");
    }
    requireNonNull(auth, "auth");
  }


  public static Builder builder(String packageName) {
    return new Builder(packageName);
  }

  public Builder toBuilder() {
    return new Builder(packageName).maxPerEndpoint(maxPerEndpoint).service(service)
        .routingKey(routingKey).openApi(openApi).sourceName(sourceName).basePath(basePath).origins(origins).auth(auth)
        .graphqlSchema(graphqlSchema);
  }

  /** Builds {@link GeneratorOptions}; only the package is required. */
  public static final class Builder {
    private final String packageName;
    private int maxPerEndpoint = DEFAULT_MAX_PER_ENDPOINT;
    private @Nullable String service;
    private @Nullable String routingKey;
    private @Nullable Path openApi;
    private String sourceName = "recorded traffic";
    private @Nullable String basePath;
    private Set<Origin> origins = Origin.DEFAULT;
    private Auth auth = Auth.fromRecording();
    private @Nullable Path graphqlSchema;

    private Builder(String packageName) {
      this.packageName = requireNonNull(packageName, "packageName");
    }

    public Builder maxPerEndpoint(int n) {
      this.maxPerEndpoint = n;
      return this;
    }

    public Builder service(@Nullable String service) {
      this.service = service;
      return this;
    }

    public Builder routingKey(@Nullable String routingKey) {
      this.routingKey = routingKey;
      return this;
    }

    public Builder openApi(@Nullable Path openApi) {
      this.openApi = openApi;
      return this;
    }

    public Builder sourceName(String sourceName) {
      this.sourceName = requireNonNull(sourceName, "sourceName");
      return this;
    }

    /** Where the service's resources sit ({@code /shop/v1}); null to take it from the spec or the traffic. */
    public Builder basePath(@Nullable String basePath) {
      this.basePath = basePath == null || basePath.isBlank() ? null : basePath;
      return this;
    }

    /** Whose traffic to use (default: live traffic only). */
    public Builder origins(Set<Origin> origins) {
      this.origins = requireNonNull(origins, "origins");
      return this;
    }

    /** How the generated tests log in (default: as the recording shows). */
    public Builder auth(Auth auth) {
      this.auth = requireNonNull(auth, "auth");
      return this;
    }

    /** A GraphQL schema (SDL or introspection JSON) that types GraphQL answers' {@code data}; null for none. */
    public Builder graphqlSchema(@Nullable Path graphqlSchema) {
      this.graphqlSchema = graphqlSchema;
      return this;
    }

    public GeneratorOptions build() {
      return new GeneratorOptions(packageName, maxPerEndpoint, service, routingKey, openApi, sourceName, basePath,
          origins, auth, graphqlSchema);
    }
  }
}
