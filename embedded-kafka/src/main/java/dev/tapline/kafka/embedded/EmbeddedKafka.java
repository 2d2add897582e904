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
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, broker and controller in one) running inside this JVM on loopback.
 * For {@code tapline up} and for tests; production uses an external cluster.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
 *   String bootstrap = kafka.bootstrapServers();   // "127.0.0.1:PORT"
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final KafkaRaftServer server;
  private final int port;
  private final Path dataDir;
  private boolean closed;

  private EmbeddedKafka(KafkaRaftServer server, int port, Path dataDir) {
    this.server = server;
    this.port = port;
    this.dataDir = dataDir;
  }

  /**
   * Formats {@code dataDir} when it holds no cluster yet, starts the node and waits until a client
   * sees it.
   *
   * @param port the broker port on 127.0.0.1, or 0 for any free one
   */
  public static EmbeddedKafka start(Path dataDir, int port) {
    requireNonNull(dataDir, "dataDir");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535: " + port);
    }
    try {
      Path logDir = dataDir.resolve("kafka-logs");
      Files.createDirectories(logDir);
      ownerOnly(dataDir);
      ownerOnly(logDir);
      int brokerPort = port == 0 ? freePort() : port;
      int controllerPort = freePort();
      Properties props = new Properties();
      props.putAll(Map.ofEntries(
          Map.entry("process.roles", "broker,controller"),
          Map.entry("node.id", "1"),
          Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
          Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort),
          Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort),
          Map.entry("controller.listener.names", "CONTROLLER"),
          Map.entry("inter.broker.listener.name", "PLAINTEXT"),
          Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
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
      Path propsFile = dataDir.resolve("server.properties");
      try (var w = Files.newBufferedWriter(propsFile, StandardCharsets.UTF_8)) {
        props.store(w, "written by tapline for its embedded broker");
      }
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(propsFile);
      }
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      EmbeddedKafka kafka = new EmbeddedKafka(server, brokerPort, dataDir);
      try {
        kafka.awaitReady(Duration.ofSeconds(60));
      } catch (RuntimeException e) {
        kafka.close();
        throw e;
      }
      LOG.info("embedded Kafka ready on 127.0.0.1:{} (data in {})", brokerPort, dataDir);
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka data dir " + dataDir, e);
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

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000"))) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("embedded Kafka did not become ready on " + bootstrapServers(), e);
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("embedded Kafka did not become ready on " + bootstrapServers());
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
