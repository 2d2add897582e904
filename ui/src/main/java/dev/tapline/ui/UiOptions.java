package dev.tapline.ui;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.kafka.KafkaSettings;
import dev.tapline.core.kafka.Topics;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of the {@link TaplineUi}; build with {@link #builder()}.
 *
 * <pre>{@code
 * UiOptions options = UiOptions.builder()
 *     .token(System.getenv("TAPLINE_TOKEN"))   // null: no login
 *     .kafka("127.0.0.1:9092")                 // drift results come from tapline.drift
 *     .proxyUrl("http://127.0.0.1:8080")       // shown to newcomers on the empty Live view
 *     .build();
 * }</pre>
 */
public final class UiOptions {
  private final @Nullable String token;
  private final @Nullable KafkaSettings kafka;
  private final String driftTopic;
  private final int maxDriftRuns;
  private final @Nullable String proxyUrl;

  private UiOptions(Builder b) {
    this.token = b.token;
    this.kafka = b.kafka;
    this.driftTopic = b.driftTopic;
    this.maxDriftRuns = b.maxDriftRuns;
    this.proxyUrl = b.proxyUrl;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.token = token;
    b.kafka = kafka;
    b.driftTopic = driftTopic;
    b.maxDriftRuns = maxDriftRuns;
    b.proxyUrl = proxyUrl;
    return b;
  }

  /** The recorder's access token, or null when it runs without one. */
  public @Nullable String token() { return token; }

  /** Kafka bootstrap servers for drift results, or null to leave the Drift view empty. */
  public @Nullable String kafka() { return kafka == null ? null : kafka.bootstrapServers(); }

  /** How drift results are read from Kafka (servers, TLS, SASL), or null to leave the Drift view empty. */
  public @Nullable KafkaSettings kafkaSettings() { return kafka; }

  public String driftTopic() { return driftTopic; }

  public int maxDriftRuns() { return maxDriftRuns; }

  public @Nullable String proxyUrl() { return proxyUrl; }

  public static final class Builder {
    private @Nullable String token;
    private @Nullable KafkaSettings kafka;
    private String driftTopic = Topics.DRIFT;
    private int maxDriftRuns = 200;
    private @Nullable String proxyUrl;

    private Builder() {}

    /** Must be the token the recorder checks; the login page compares against it. */
    public Builder token(@Nullable String token) {
      this.token = token == null || token.isEmpty() ? null : token;
      return this;
    }

    public Builder kafka(@Nullable String bootstrapServers) {
      this.kafka = bootstrapServers == null || bootstrapServers.isBlank() ? null : KafkaSettings.of(bootstrapServers);
      return this;
    }

    /** As {@link #kafka(String)}, for a cluster that needs TLS, SASL or other client properties. */
    public Builder kafka(@Nullable KafkaSettings settings) {
      this.kafka = settings;
      return this;
    }

    public Builder driftTopic(String topic) {
      requireNonNull(topic, "topic");
      if (topic.isBlank()) {
        throw new IllegalArgumentException("driftTopic must not be blank");
      }
      this.driftTopic = topic;
      return this;
    }

    /** How many drift runs are kept in memory (the newest win); default 200. */
    public Builder maxDriftRuns(int runs) {
      if (runs < 1) {
        throw new IllegalArgumentException("maxDriftRuns must be positive: " + runs);
      }
      this.maxDriftRuns = runs;
      return this;
    }

    /** Where clients send traffic, e.g. {@code http://127.0.0.1:8080}; only displayed. */
    public Builder proxyUrl(@Nullable String url) {
      this.proxyUrl = url == null || url.isBlank() ? null : url;
      return this;
    }

    public UiOptions build() {
      return new UiOptions(this);
    }
  }
}
