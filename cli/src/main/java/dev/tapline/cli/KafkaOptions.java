package dev.tapline.cli;

import dev.tapline.core.kafka.KafkaSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Mixin for every command that talks to Kafka ({@code up}, {@code proxy}, {@code recorder},
 * {@code tail}, {@code replay}): how its clients reach the cluster beyond {@code --kafka}. Either a
 * file of client properties ({@code --kafka-config}, what Kafka's own tools take with {@code
 * --command-config}), or flags for the common case of TLS and SASL/SCRAM, or both (the flags win).
 * Passwords come from a file or the environment, never from a flag, so they do not show in {@code
 * ps}. Core's {@link KafkaSettings} turns them into client properties.
 */
final class KafkaOptions {
  static final String PASSWORD_ENV = "TAPLINE_KAFKA_SASL_PASSWORD";
  static final String TRUSTSTORE_PASSWORD_ENV = "TAPLINE_KAFKA_SSL_TRUSTSTORE_PASSWORD";

  @Option(names = "--kafka-config", paramLabel = "FILE",
      description = "Read Kafka client properties from this file (Java properties, as Kafka's tools take with"
          + " --command-config), for example security.protocol, sasl.jaas.config or ssl.truststore.location."
          + " The --kafka-* flags below win over it.")
  @Nullable Path config;

  @Option(names = "--kafka-security-protocol", paramLabel = "PROTOCOL",
      description = "Talk to Kafka over PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. Without it, SASL_SSL is used"
          + " with --kafka-sasl-mechanism, SSL with --kafka-ssl-truststore, and otherwise what --kafka-config says.")
  @Nullable String securityProtocol;

  @Option(names = "--kafka-ssl-truststore", paramLabel = "FILE",
      description = "Trust these certificates for the brokers: a PEM file of CA certificates, or a PKCS12 or JKS (.jks)"
          + " store whose password comes from --kafka-ssl-truststore-password-file or " + TRUSTSTORE_PASSWORD_ENV + "."
          + " Without it the JDK's trust store is used.")
  @Nullable Path truststore;

  @Option(names = "--kafka-ssl-truststore-password-file", paramLabel = "FILE",
      description = "Read the truststore's password from the first line of this file.")
  @Nullable Path truststorePasswordFile;

  @Option(names = "--kafka-sasl-mechanism", paramLabel = "MECHANISM",
      description = "Authenticate to Kafka with SASL: SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN."
          + " Needs --kafka-sasl-username and a password.")
  @Nullable String saslMechanism;

  @Option(names = "--kafka-sasl-username", paramLabel = "USER", description = "Authenticate to Kafka as this user.")
  @Nullable String saslUsername;

  @Option(names = "--kafka-sasl-password-file", paramLabel = "FILE",
      description = "Read the SASL password from the first line of this file, or else from " + PASSWORD_ENV + "."
          + " There is no flag for the password itself, so it never shows in ps.")
  @Nullable Path saslPasswordFile;

  /** Where the environment variables are read; tests replace it. */
  Map<String, String> env = System.getenv();

  /** Whether any flag of this mixin was given (through a flag, the environment or the config file). */
  boolean anyGiven() {
    return config != null || securityProtocol != null || truststore != null || truststorePasswordFile != null
        || saslMechanism != null || saslUsername != null || saslPasswordFile != null;
  }

  /**
   * The settings for {@code bootstrap} (from {@code --kafka}; when null, {@code bootstrap.servers}
   * in {@code --kafka-config}), or null when neither names any server.
   *
   * @throws UsageException naming the flag that is wrong
   */
  @Nullable KafkaSettings settings(@Nullable String bootstrap) {
    KafkaSettings.Builder b = KafkaSettings.builder().bootstrapServers(bootstrap);
    if (config != null) {
      Cli.readableFile("--kafka-config", config);
      try {
        b.load(config);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--kafka-config: " + e.getMessage(), e);
      }
    }
    if ((bootstrap == null || bootstrap.isBlank()) && (config == null || !hasBootstrap(config))) {
      if (anyGiven()) {
        throw new UsageException("the --kafka-* security options need --kafka BOOTSTRAP (or bootstrap.servers in --kafka-config)");
      }
      return null;
    }
    b.securityProtocol(securityProtocol);
    if (truststore != null) {
      Cli.readableFile("--kafka-ssl-truststore", truststore);
      String password = secret("--kafka-ssl-truststore-password-file", truststorePasswordFile, TRUSTSTORE_PASSWORD_ENV);
      b.truststore(truststore, password);
    } else if (truststorePasswordFile != null) {
      throw new UsageException("--kafka-ssl-truststore-password-file needs --kafka-ssl-truststore FILE");
    }
    if (saslMechanism != null) {
      if (saslUsername == null || saslUsername.isBlank()) {
        throw new UsageException("--kafka-sasl-mechanism " + saslMechanism + " needs --kafka-sasl-username USER");
      }
      String password = secret("--kafka-sasl-password-file", saslPasswordFile, PASSWORD_ENV);
      if (password == null) {
        throw new UsageException("--kafka-sasl-mechanism " + saslMechanism + " needs a password: --kafka-sasl-password-file FILE or "
            + PASSWORD_ENV);
      }
      b.sasl(saslMechanism, saslUsername.strip(), password);
    } else if (saslUsername != null || saslPasswordFile != null) {
      throw new UsageException("--kafka-sasl-username and --kafka-sasl-password-file need --kafka-sasl-mechanism"
          + " (SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN)");
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new UsageException("Kafka settings: " + e.getMessage(), e);
    }
  }

  /** The first line of {@code file}, else the environment variable, else null. */
  private @Nullable String secret(String flag, @Nullable Path file, String envName) {
    if (file != null) {
      Cli.readableFile(flag, file);
      try {
        String s = Files.readString(file).strip();
        int nl = s.indexOf('\n');
        s = (nl < 0 ? s : s.substring(0, nl)).strip();
        if (s.isEmpty()) {
          throw new UsageException(flag + " " + file + " is empty");
        }
        return s;
      } catch (IOException e) {
        throw new UsageException(flag + " cannot be read: " + file + " (" + e.getMessage() + ")", e);
      }
    }
    String v = env.get(envName);
    return v == null || v.isEmpty() ? null : v;
  }

  private static boolean hasBootstrap(Path file) {
    java.util.Properties p = new java.util.Properties();
    try (var r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
    String s = p.getProperty("bootstrap.servers");
    return s != null && !s.isBlank();
  }
}
