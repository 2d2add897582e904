package dev.tapline.kafka.embedded;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, broker and controller in one) running inside this JVM on loopback.
 * For {@code tapline up} and for tests; production uses an external cluster. Besides its plain
 * listener (which the broker also uses for itself) it can have a secured one, TLS with a generated
 * certificate and/or SASL SCRAM with a user created at start ({@link #builder}), for testing clients
 * configured the way a production cluster needs.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
 *   String bootstrap = kafka.bootstrapServers();   // "127.0.0.1:PORT"
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  /** The name of the secured listener in the broker's configuration. */
  private static final String SECURED = "SECURED";

  private final KafkaRaftServer server;
  private final int port;
  private final Path dataDir;
  private final int securedPort;
  private final Map<String, String> securedClient;
  private final @Nullable Path caCertificate;
  private boolean closed;

  private EmbeddedKafka(KafkaRaftServer server, int port, Path dataDir, int securedPort,
      Map<String, String> securedClient, @Nullable Path caCertificate) {
    this.server = server;
    this.port = port;
    this.dataDir = dataDir;
    this.securedPort = securedPort;
    this.securedClient = securedClient;
    this.caCertificate = caCertificate;
  }

  /**
   * Formats {@code dataDir} when it holds no cluster yet, starts the node and waits until a client
   * sees it.
   *
   * @param port the broker port on 127.0.0.1, or 0 for any free one
   */
  public static EmbeddedKafka start(Path dataDir, int port) {
    return builder(dataDir).port(port).start();
  }

  /**
   * For a broker with a secured listener besides the plain one:
   *
   * <pre>{@code
   * try (EmbeddedKafka kafka = EmbeddedKafka.builder(dataDir).tls().scram("tapline", "s3cret").start()) {
   *   String bootstrap = kafka.securedBootstrapServers();          // SASL_SSL, SCRAM-SHA-256/512
   *   Map<String, String> client = kafka.securedClientProperties(); // what a client needs for it
   * }
   * }</pre>
   */
  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Settings of a broker to start; {@link #start()} starts it. */
  public static final class Builder {
    private final Path dataDir;
    private int port;
    private boolean tls;
    private @Nullable String scramUser;
    private @Nullable String scramPassword;

    private Builder(Path dataDir) {
      this.dataDir = requireNonNull(dataDir, "dataDir");
    }

    /** The plain listener's port on 127.0.0.1; 0 (the default) for any free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Adds a secured listener that speaks TLS with a certificate generated for {@code 127.0.0.1}
     * and {@code localhost} (kept in the data dir; {@link #caCertificate()} is its PEM).
     */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /**
     * Adds a secured listener that takes SASL SCRAM-SHA-256 and SCRAM-SHA-512 logins, and creates
     * this user at start; with {@link #tls()} it is {@code SASL_SSL}, else {@code SASL_PLAINTEXT}.
     */
    public Builder scram(String user, String password) {
      this.scramUser = requireNonNull(user, "user");
      this.scramPassword = requireNonNull(password, "password");
      return this;
    }

    /**
     * Formats the data dir when it holds no cluster yet, starts the node and waits until a client
     * sees it (on the secured listener too, logged in, when there is one).
     */
    public EmbeddedKafka start() {
      return EmbeddedKafka.start(this);
    }
  }

  private static EmbeddedKafka start(Builder b) {
    Path dataDir = b.dataDir;
    try {
      Path logDir = dataDir.resolve("kafka-logs");
      Files.createDirectories(logDir);
      ownerOnly(dataDir);
      ownerOnly(logDir);
      int brokerPort = b.port == 0 ? freePort() : b.port;
      int controllerPort = freePort();
      String protocol = b.scramUser != null ? (b.tls ? "SASL_SSL" : "SASL_PLAINTEXT") : b.tls ? "SSL" : null;
      int securedPort = protocol == null ? -1 : freePort();
      String listeners = "PLAINTEXT://127.0.0.1:" + brokerPort;
      String protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
      if (protocol != null) {
        listeners += "," + SECURED + "://127.0.0.1:" + securedPort;
        protocols += "," + SECURED + ":" + protocol;
      }
      Properties props = new Properties();
      props.putAll(Map.ofEntries(
          Map.entry("process.roles", "broker,controller"),
          Map.entry("node.id", "1"),
          Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
          Map.entry("listeners", listeners + ",CONTROLLER://127.0.0.1:" + controllerPort),
          Map.entry("advertised.listeners", listeners),
          Map.entry("controller.listener.names", "CONTROLLER"),
          Map.entry("inter.broker.listener.name", "PLAINTEXT"),
          Map.entry("listener.security.protocol.map", protocols),
          Map.entry("log.dirs", logDir.toString()),
          Map.entry("num.partitions", "3"),
          Map.entry("offsets.topic.replication.factor", "1"),
          Map.entry("offsets.topic.num.partitions", "3"),
          Map.entry("transaction.state.log.replication.factor", "1"),
          Map.entry("transaction.state.log.min.isr", "1"),
          Map.entry("share.coordinator.state.topic.replication.factor", "1"),
          Map.entry("share.coordinator.state.topic.min.isr", "1"),
          Map.entry("group.initial.rebalance.delay.ms", "0"),
          Map.entry("auto.create.topics.enable", "true"),
          Map.entry("log.flush.interval.messages", "9223372036854775807"),
          Map.entry("log.retention.hours", "168"),
          Map.entry("message.max.bytes", String.valueOf(16 * 1024 * 1024))));
      Map<String, String> client = new TreeMap<>();
      Path ca = null;
      if (protocol != null) {
        String prefix = "listener.name." + SECURED.toLowerCase(Locale.ROOT) + ".";
        client.put("security.protocol", protocol);
        if (b.tls) {
          BrokerCertificate cert = BrokerCertificate.inside(dataDir.resolve("tls"));
          ca = cert.caPem();
          props.put(prefix + "ssl.keystore.location", cert.keystore().toString());
          props.put(prefix + "ssl.keystore.password", cert.password());
          props.put(prefix + "ssl.key.password", cert.password());
          props.put(prefix + "ssl.keystore.type", "PKCS12");
          client.put("ssl.truststore.type", "PEM");
          client.put("ssl.truststore.location", ca.toString());
        }
        if (b.scramUser != null) {
          props.put(prefix + "sasl.enabled.mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512");
          for (String m : List.of("scram-sha-256", "scram-sha-512")) {
            props.put(prefix + m + ".sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
          }
          client.put("sasl.mechanism", "SCRAM-SHA-256");
          client.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username="
              + jaasQuoted(b.scramUser) + " password=" + jaasQuoted(b.scramPassword) + ";");
        }
      }
      Path propsFile = dataDir.resolve("server.properties");
      try (var w = Files.newBufferedWriter(propsFile, StandardCharsets.UTF_8)) {
        props.store(w, "written by tapline for its embedded broker");
      }
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(propsFile);
      }
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      EmbeddedKafka kafka = new EmbeddedKafka(server, brokerPort, dataDir, securedPort, Map.copyOf(client), ca);
      try {
        kafka.awaitReady(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), Duration.ofSeconds(60));
        if (b.scramUser != null) {
          kafka.createScramUser(b.scramUser, b.scramPassword);
        }
        if (protocol != null) {
          Map<String, Object> secured = new HashMap<>(client);
          secured.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.securedBootstrapServers());
          kafka.awaitReady(secured, Duration.ofSeconds(60));
        }
      } catch (RuntimeException e) {
        kafka.close();
        throw e;
      }
      LOG.info("embedded Kafka ready on 127.0.0.1:{}{} (data in {})", brokerPort,
          protocol == null ? "" : ", " + protocol + " on 127.0.0.1:" + securedPort, dataDir);
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka data dir " + dataDir, e);
    }
  }

  private static String jaasQuoted(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** Creates (or updates) a SCRAM user for both mechanisms, through the plain listener. */
  private void createScramUser(String user, String password) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      // One request per mechanism: a request may alter a user's credentials only once.
      for (ScramMechanism m : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(m, 4096), password)))
            .all().get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot create the SCRAM user " + user + " on the embedded broker: " + e, e);
    }
  }

  private static void format(Path propsFile) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      rc = StorageTool.execute(new String[] {
          "format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString(), "--ignore-formatted"
      }, out);
    }
    if (rc != 0) {
      throw new IllegalStateException("formatting Kafka storage failed (" + rc + "): " + buf.toString(StandardCharsets.UTF_8));
    }
  }

  /** Waits until a client with {@code clientProps} sees the node (for the secured listener: logged in). */
  private void awaitReady(Map<String, Object> clientProps, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    String where = String.valueOf(clientProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    try (Admin admin = Admin.create(p)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("embedded Kafka did not become ready on " + where, e);
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("embedded Kafka did not become ready on " + where);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
      }
    }
  }

  /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * {@code 127.0.0.1:PORT} of the secured listener (TLS and/or SASL SCRAM, see {@link Builder}).
   *
   * @throws IllegalStateException when the broker has none
   */
  public String securedBootstrapServers() {
    if (securedPort < 0) {
      throw new IllegalStateException("this embedded broker has no secured listener: start it with builder(dir).tls() or .scram(...)");
    }
    return "127.0.0.1:" + securedPort;
  }

  /**
   * The client properties the secured listener needs besides {@code bootstrap.servers}: {@code
   * security.protocol}, the PEM truststore, and SCRAM-SHA-256 as the user created at start. Empty
   * when there is no secured listener.
   */
  public Map<String, String> securedClientProperties() {
    return securedClient;
  }

  /** The PEM certificate of the TLS listener (self-signed: a client trusts it as its CA), or null without TLS. */
  public @Nullable Path caCertificate() {
    return caCertificate;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Stops the node and waits for it to finish; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    server.awaitShutdown();
  }

  /** The broker's logs hold captured traffic: owner-only, where the file system has POSIX modes. */
  private static void ownerOnly(Path dir) throws IOException {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
