package dev.tapline.core.kafka;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * How every Tapline Kafka client reaches the cluster: the bootstrap servers and the client
 * properties all of them share (TLS, SASL, timeouts a site needs). The proxy's producer, the
 * recorder's consumer and dead-letter producer, {@code tapline tail}, the UI's drift reader and
 * {@code tapline replay}'s drift producer each take their own defaults and pass them through {@link
 * #clientProperties}, so security is configured once, here.
 *
 * <pre>{@code
 * KafkaSettings kafka = KafkaSettings.builder()
 *     .bootstrapServers("kafka-1:9093,kafka-2:9093")
 *     .load(Path.of("client.properties"))          // optional: any Kafka client property
 *     .sasl("SCRAM-SHA-512", "tapline", password)   // SASL_SSL unless securityProtocol says otherwise
 *     .truststore(Path.of("ca.pem"), null)          // PEM, PKCS12 or JKS
 *     .build();
 * new KafkaConsumer<>(kafka.clientProperties(myDefaults), ...);
 * }</pre>
 *
 * <p>The user's properties win over a client's defaults (as with Kafka's own tools'
 * {@code --command-config}), except the few that Tapline's correctness rests on ({@link
 * #RESERVED}), which are refused. {@link #toString()} never shows a password.
 */
public final class KafkaSettings {
  /**
   * Properties a client sets for itself and a user may not change: serializers, consumer groups
   * and offset commits (the recorder commits offsets only with the index that holds them).
   */
  public static final Set<String> RESERVED = Set.of(
      "key.serializer", "value.serializer", "key.deserializer", "value.deserializer",
      "group.id", "enable.auto.commit", "transactional.id");

  /** The SASL mechanisms {@link Builder#sasl} can configure. */
  public static final Set<String> SASL_MECHANISMS = Set.of("SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN");

  private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

  private final String bootstrapServers;
  private final Map<String, String> properties;

  private KafkaSettings(String bootstrapServers, Map<String, String> properties) {
    this.bootstrapServers = bootstrapServers;
    this.properties = properties;
  }

  /** Plain settings: these bootstrap servers, no other client property. */
  public static KafkaSettings of(String bootstrapServers) {
    return builder().bootstrapServers(bootstrapServers).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code host:port[,host:port]}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The shared client properties (without {@code bootstrap.servers}), sorted by name. */
  public Map<String, String> properties() {
    return properties;
  }

  /** {@code security.protocol}: {@code PLAINTEXT} unless configured. */
  public String securityProtocol() {
    return properties.getOrDefault("security.protocol", "PLAINTEXT");
  }

  /**
   * The properties for one client: its {@code defaults}, then {@code bootstrap.servers}, then the
   * shared properties, which override the defaults.
   */
  public Map<String, Object> clientProperties(Map<String, ?> defaults) {
    requireNonNull(defaults, "defaults");
    Map<String, Object> p = new HashMap<>(defaults);
    p.put("bootstrap.servers", bootstrapServers);
    p.putAll(properties);
    return p;
  }

  /** As {@link #clientProperties(Map)}, as {@link Properties}. */
  public Properties clientProperties(Properties defaults) {
    Map<String, Object> m = new HashMap<>();
    defaults.forEach((k, v) -> m.put(String.valueOf(k), v));
    Properties p = new Properties();
    p.putAll(clientProperties(m));
    return p;
  }

  /**
   * For logs and errors, without secrets: {@code 127.0.0.1:9093 (SASL_SSL, SCRAM-SHA-512)}, or just
   * the servers for plain settings.
   */
  public String describe() {
    String protocol = securityProtocol();
    if (protocol.equals("PLAINTEXT")) {
      return bootstrapServers;
    }
    String mechanism = properties.get("sasl.mechanism");
    return bootstrapServers + " (" + protocol + (protocol.startsWith("SASL") && mechanism != null ? ", " + mechanism : "") + ")";
  }

  @Override
  public String toString() {
    return describe();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KafkaSettings k && k.bootstrapServers.equals(bootstrapServers) && k.properties.equals(properties);
  }

  @Override
  public int hashCode() {
    return bootstrapServers.hashCode() * 31 + properties.hashCode();
  }

  /**
   * Collects the settings. The order of calls does not matter: the properties of {@link #load}
   * and {@link #property} come first, and what {@link #securityProtocol}, {@link #truststore} and
   * {@link #sasl} configure overrides them.
   */
  public static final class Builder {
    private @Nullable String bootstrapServers;
    private final Map<String, String> properties = new TreeMap<>();
    private @Nullable String securityProtocol;
    private @Nullable Path truststore;
    private @Nullable String truststorePassword;
    private @Nullable String saslMechanism;
    private @Nullable String saslUsername;
    private @Nullable String saslPassword;

    private Builder() {}

    /**
     * {@code host:port[,host:port]}; when never given, {@code bootstrap.servers} from the
     * properties is used.
     */
    public Builder bootstrapServers(@Nullable String servers) {
      this.bootstrapServers = servers == null || servers.isBlank() ? null : servers.strip();
      return this;
    }

    /** One client property, as Kafka names it ({@code ssl.endpoint.identification.algorithm}). */
    public Builder property(String name, String value) {
      properties.put(requireNonNull(name, "name").strip(), requireNonNull(value, "value " + name).strip());
      return this;
    }

    public Builder properties(Map<String, String> props) {
      requireNonNull(props, "props").forEach(this::property);
      return this;
    }

    /**
     * Reads a file of client properties in Java properties format, the kind Kafka's tools take with
     * {@code --command-config}.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read
     */
    public Builder load(Path file) {
      requireNonNull(file, "file");
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException("cannot read Kafka client properties from " + file + ": " + e.getMessage(), e);
      }
      p.stringPropertyNames().forEach(k -> property(k, p.getProperty(k)));
      return this;
    }

    /**
     * {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}. When not given:
     * {@code SASL_SSL} with {@link #sasl}, else {@code SSL} with {@link #truststore}, else what the
     * properties say. A password never travels in clear unless {@code SASL_PLAINTEXT} is asked for.
     */
    public Builder securityProtocol(@Nullable String protocol) {
      this.securityProtocol = protocol == null || protocol.isBlank() ? null : protocol.strip().toUpperCase(Locale.ROOT);
      return this;
    }

    /**
     * The certificates to trust for the brokers: a PEM file of CA certificates, or a PKCS12 or JKS
     * store (by its {@code .jks} name) with its password.
     */
    public Builder truststore(@Nullable Path file, @Nullable String password) {
      this.truststore = file;
      this.truststorePassword = password;
      return this;
    }

    /** SASL with {@code SCRAM-SHA-256}, {@code SCRAM-SHA-512} or {@code PLAIN} as this user. */
    public Builder sasl(@Nullable String mechanism, @Nullable String username, @Nullable String password) {
      this.saslMechanism = mechanism == null || mechanism.isBlank() ? null : mechanism.strip().toUpperCase(Locale.ROOT);
      this.saslUsername = username;
      this.saslPassword = password;
      return this;
    }

    /** @throws IllegalArgumentException saying which setting is wrong and how to fix it */
    public KafkaSettings build() {
      Map<String, String> p = new TreeMap<>(properties);
      String servers = bootstrapServers != null ? bootstrapServers : p.get("bootstrap.servers");
      p.remove("bootstrap.servers");
      if (servers == null || servers.isBlank()) {
        throw new IllegalArgumentException("Kafka bootstrap servers must be set (host:port[,host:port])");
      }
      for (String k : p.keySet()) {
        if (RESERVED.contains(k)) {
          throw new IllegalArgumentException(k + " cannot be set in Kafka client properties: Tapline sets it for each client");
        }
      }
      String protocol = securityProtocol;
      if (protocol == null && saslMechanism != null) {
        protocol = "SASL_SSL";
      } else if (protocol == null && truststore != null) {
        protocol = "SSL";
      }
      if (protocol != null) {
        if (!PROTOCOLS.contains(protocol)) {
          throw new IllegalArgumentException("security protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL: " + protocol);
        }
        p.put("security.protocol", protocol);
      }
      String effective = p.getOrDefault("security.protocol", "PLAINTEXT").toUpperCase(Locale.ROOT);
      if (truststore != null) {
        if (!effective.equals("SSL") && !effective.equals("SASL_SSL")) {
          throw new IllegalArgumentException("a truststore needs TLS: security protocol SSL or SASL_SSL, not " + effective);
        }
        trust(p, truststore, truststorePassword);
      }
      if (saslMechanism != null) {
        if (!effective.startsWith("SASL_")) {
          throw new IllegalArgumentException("SASL needs security protocol SASL_SSL or SASL_PLAINTEXT, not " + effective);
        }
        if (!SASL_MECHANISMS.contains(saslMechanism)) {
          throw new IllegalArgumentException("SASL mechanism must be SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN: " + saslMechanism);
        }
        if (saslUsername == null || saslUsername.isBlank()) {
          throw new IllegalArgumentException("SASL " + saslMechanism + " needs a user name");
        }
        if (saslPassword == null || saslPassword.isEmpty()) {
          throw new IllegalArgumentException("SASL " + saslMechanism + " needs a password for user " + saslUsername);
        }
        p.put("sasl.mechanism", saslMechanism);
        String module = saslMechanism.equals("PLAIN")
            ? "org.apache.kafka.common.security.plain.PlainLoginModule"
            : "org.apache.kafka.common.security.scram.ScramLoginModule";
        p.put("sasl.jaas.config", module + " required username=" + quoted(saslUsername) + " password=" + quoted(saslPassword) + ";");
      } else if (effective.startsWith("SASL_") && !p.containsKey("sasl.jaas.config")) {
        throw new IllegalArgumentException("security protocol " + effective
            + " needs SASL credentials: a mechanism, a user name and a password, or sasl.jaas.config in the properties");
      }
      return new KafkaSettings(servers.strip(), java.util.Collections.unmodifiableMap(p));
    }

    private static void trust(Map<String, String> p, Path file, @Nullable String password) {
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("truststore cannot be read: " + file);
      }
      String type;
      try {
        String head = new String(readHead(file), StandardCharsets.US_ASCII).strip();
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        type = head.startsWith("-----BEGIN") ? "PEM" : name.endsWith(".jks") ? "JKS" : "PKCS12";
      } catch (IOException e) {
        throw new IllegalArgumentException("truststore cannot be read: " + file + " (" + e.getMessage() + ")", e);
      }
      if (type.equals("PEM") && password != null) {
        throw new IllegalArgumentException("a PEM truststore takes no password: " + file);
      }
      p.put("ssl.truststore.type", type);
      p.put("ssl.truststore.location", file.toAbsolutePath().toString());
      if (password != null) {
        p.put("ssl.truststore.password", password);
      } else {
        p.remove("ssl.truststore.password");
      }
    }

    private static byte[] readHead(Path file) throws IOException {
      try (var in = Files.newInputStream(file)) {
        return in.readNBytes(64);
      }
    }

    /** A JAAS option value: quoted, with {@code \} and {@code "} escaped. */
    private static String quoted(String s) {
      return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
  }
}
