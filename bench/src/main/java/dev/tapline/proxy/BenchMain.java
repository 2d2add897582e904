package dev.tapline.proxy;

import dev.tapline.kafka.embedded.EmbeddedKafka;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Entry points for {@code bench/proxy/run.sh} (not a test): {@code kafka} starts an embedded broker
 * and prints its bootstrap; {@code proxy UPSTREAM_URL PORT none|all [BOOTSTRAP [SPOOL_DIR]]} runs the
 * proxy with admin on PORT+1000 (and a disk spool in SPOOL_DIR; {@code -Dbench.maxConnectionsPerAddress=N}
 * raises the cap on client connections from one address, 256 by default); {@code proxy-tls UPSTREAM_URL PORT
 * CERT KEY} the same with TLS (HTTP/2 and HTTP/1.1 by ALPN) on the listener, capture none;
 * {@code upstream PORT} runs {@link TestUpstream} (its {@code /upload} reads
 * the whole body). All run until killed.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "kafka" -> {
        Path dir = Files.createTempDirectory("tapline-bench-kafka");
        EmbeddedKafka kafka = EmbeddedKafka.start(dir, args.length > 1 ? Integer.parseInt(args[1]) : 0);
        System.out.println("bootstrap " + kafka.bootstrapServers());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
      }
      case "proxy" -> {
        int port = Integer.parseInt(args[2]);
        CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder()
            .service("bench")
            .baseline(URI.create(args[1]))
            .listen("127.0.0.1", port)
            .admin("127.0.0.1", port + 1000)
            .capture(CapturePolicy.valueOf(args[3].toUpperCase(java.util.Locale.ROOT)))
            .kafkaBootstrap(args.length > 4 ? args[4] : null)
            .spoolDir(args.length > 5 ? Path.of(args[5]) : null)
            .maxConnectionsPerAddress(Integer.getInteger("bench.maxConnectionsPerAddress",
                ProxyConfig.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS))
            .build());
        Runtime.getRuntime().addShutdownHook(new Thread(proxy::close));
        System.out.println("ready " + proxy.uri() + " admin " + proxy.adminUri() + " transport " + proxy.transport()
            + " sink " + proxy.sinkDescription());
        System.out.flush();
      }
      case "proxy-tls" -> {
        int port = Integer.parseInt(args[2]);
        CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder()
            .service("bench")
            .baseline(URI.create(args[1]))
            .listen("127.0.0.1", port)
            .tls(Path.of(args[3]), Path.of(args[4]))
            .capture(CapturePolicy.NONE)
            .build());
        Runtime.getRuntime().addShutdownHook(new Thread(proxy::close));
        System.out.println("ready " + proxy.uri() + " transport " + proxy.transport() + " " + proxy.protocols());
        System.out.flush();
      }
      case "upstream" -> {
        TestUpstream up = TestUpstream.start("bench-upload-sink", Integer.parseInt(args[1]));
        System.out.println("ready " + up.uri());
        System.out.flush();
      }
      default -> throw new IllegalArgumentException(
          "usage: kafka [PORT] | proxy UPSTREAM PORT none|all [BOOTSTRAP [SPOOL_DIR]]"
              + " | proxy-tls UPSTREAM PORT CERT KEY | upstream PORT");
    }
    new CountDownLatch(1).await();
  }
}
