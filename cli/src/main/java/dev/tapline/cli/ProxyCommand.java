package dev.tapline.cli;

import dev.tapline.core.kafka.Topics;
import dev.tapline.proxy.CapturePolicy;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ProxyConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tapline proxy}: the capture proxy in front of one service, until Ctrl-C. */
@Command(
    name = "proxy",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Runs the capture proxy in front of one service, routing by routing key and capturing redacted exchanges into Kafka.",
    description = "Requests with a sandbox routing key go to that sandbox (--sandbox KEY=URL), all others to the"
        + " baseline (--upstream). Clients speak HTTP/1.1 or HTTP/2 (h2c by prior knowledge; with --tls-cert and"
        + " --tls-key, HTTPS with HTTP/2 by ALPN); gRPC goes to the upstream over HTTP/2. A route can also try a"
        + " developer's process first (--override KEY=URL), and answer or break requests by method and path (mock"
        + " and fault rules, from --routes or the admin API; tapline route edits them). With --spool-dir, captures"
        + " wait on disk while Kafka is unreachable and are sent when it is back. Runs until Ctrl-C.%n")
final class ProxyCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
      description = "Where clients connect (default: ${DEFAULT-VALUE}; port 0 = any free port).")
  String listen;

  // Not picocli-required: the value may come from TAPLINE_SERVICE or the --config file.
  @Option(names = "--service", paramLabel = "NAME",
      description = "Logical name of the service behind the proxy, written into every exchange (required).")
  @Nullable String service;

  @Option(names = "--upstream", paramLabel = "URL",
      description = "The baseline service, http://host:port or https://host:port: requests without a known routing key go here (required).")
  @Nullable String upstream;

  @Mixin RouteOptions routeOptions = new RouteOptions();

  @Option(names = "--override-max-body", paramLabel = "BYTES", defaultValue = "" + ProxyConfig.DEFAULT_OVERRIDE_MAX_BODY,
      description = "The largest request body kept so that a request an override does not take can go on to the"
          + " sandbox; a request with a larger body skips the override and its response says so in Tapline-Override"
          + " (default: ${DEFAULT-VALUE}).")
  String overrideMaxBody;

  @Option(names = "--override-timeout", paramLabel = "DURATION", defaultValue = "5s",
      description = "Time an override has to connect and send its response head; then the request goes on to the"
          + " sandbox (default: ${DEFAULT-VALUE}).")
  String overrideTimeout;

  @Option(names = "--recorder", paramLabel = "URL",
      description = "The recorder whose exchanges mock rules answer with ({\"mock\": {\"exchange\": ID}}, or"
          + " \"latest\"); sent the --token when one is given.")
  @Nullable String recorder;

  @Option(names = "--kafka", paramLabel = "BOOTSTRAP",
      description = "Send captures to the Kafka cluster at these bootstrap servers (host:port[,host:port]); without it"
          + " nothing is captured.")
  @Nullable String kafka;

  @Option(names = "--spool-dir", paramLabel = "DIR",
      description = "Keep captures in files under DIR (mode 0700) while Kafka is unreachable or stalled, and send them"
          + " in order when it is back; a proxy restarted on a spool that holds captures sends those first."
          + " Without it such captures are dropped and counted.")
  @Nullable Path spoolDir;

  @Option(names = "--spool-max", paramLabel = "BYTES", defaultValue = "1GiB",
      description = "The spool holds at most this many bytes, e.g. 1073741824, 512MiB or 2GiB; beyond it captures are"
          + " dropped and counted, never the requests (default: ${DEFAULT-VALUE}).")
  String spoolMax;

  @Mixin KafkaOptions kafkaOptions = new KafkaOptions();

  @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = Topics.EXCHANGES,
      description = "Publish captured exchanges to this topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--capture", paramLabel = "POLICY", defaultValue = "sandboxed",
      description = "What to capture: sandboxed (requests with a routing key), all, none (default: ${DEFAULT-VALUE}).")
  String capture;

  @Option(names = "--sample", paramLabel = "RATE", defaultValue = "1.0",
      description = "Fraction of eligible requests to capture, 0 to 1 (default: ${DEFAULT-VALUE}).")
  String sample;

  @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "1048576",
      description = "Bytes of each body to keep in a capture; the rest is counted (default: ${DEFAULT-VALUE}).")
  String maxBody;

  @Option(names = "--upstream-ca", paramLabel = "FILE",
      description = "PEM certificate(s) to trust for https:// upstreams and sandboxes instead of the JDK's trust store.")
  @Nullable Path upstreamCa;

  @Mixin ListenerTlsOptions listenerTls = new ListenerTlsOptions();

  @Option(names = "--transport", paramLabel = "NAME", defaultValue = "auto",
      description = "Socket transport: auto (io_uring, else epoll, else nio), io_uring, epoll or nio (default: ${DEFAULT-VALUE}).")
  String transport;

  @Option(names = "--include", paramLabel = "GLOB", split = ",",
      description = "Capture only paths matching GLOB (* within a segment, ** across; repeatable).")
  List<String> include = new ArrayList<>();

  @Option(names = "--exclude", paramLabel = "GLOB", split = ",", description = "Never capture paths matching GLOB (repeatable).")
  List<String> exclude = new ArrayList<>();

  @Option(names = "--admin", paramLabel = "HOST:PORT",
      description = "Where the admin server listens: /healthz (ok, or degraded with the reasons when captures are at"
          + " risk), /metrics, and /routes (GET, PUT /routes/KEY, DELETE /routes/KEY, which tapline route calls);"
          + " /metrics and /routes need --token when one is given.")
  @Nullable String admin;

  @Mixin RedactionOptions redaction = new RedactionOptions();

  @Mixin ServerToken serverToken = new ServerToken();

  @Option(names = "--max-routes", paramLabel = "N", defaultValue = "" + ProxyConfig.DEFAULT_MAX_ROUTES,
      description = "Most routing keys the route table holds; PUT /routes/KEY for a new key beyond it is a 409"
          + " (default: ${DEFAULT-VALUE}).")
  String maxRoutes;

  @Option(names = "--header-timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "Time a client has for a whole request head, from its first byte (from accept on a new"
          + " connection); then 408 and close (default: ${DEFAULT-VALUE}).")
  String headerTimeout;

  @Option(names = "--body-timeout", paramLabel = "DURATION", defaultValue = "60s",
      description = "Time a request body may go without a byte while the proxy waits for one; then 408 and close"
          + " (default: ${DEFAULT-VALUE}).")
  String bodyTimeout;

  @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "60s",
      description = "Time a keep-alive client connection may sit idle between requests (default: ${DEFAULT-VALUE}).")
  String idleTimeout;

  @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + ProxyConfig.DEFAULT_MAX_CONNECTIONS,
      description = "Open client connections beyond which new ones are closed at accept (default: ${DEFAULT-VALUE}).")
  String maxConnections;

  @Option(names = "--max-connections-per-address", paramLabel = "N",
      defaultValue = "" + ProxyConfig.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
      description = "Open client connections from one IP address beyond which its new ones are closed at accept;"
          + " raise it behind a load balancer (default: ${DEFAULT-VALUE}).")
  String maxConnectionsPerAddress;

  @Override
  public Integer call() throws InterruptedException {
    ProxyConfig cfg = toConfig();
    new Cli.HostPort(cfg.listenHost(), cfg.listenPort()).requireFree("--listen");
    if (cfg.adminHost() != null) {
      new Cli.HostPort(cfg.adminHost(), cfg.adminPort()).requireFree("--admin");
    }
    PrintStream err = System.err;
    if (cfg.kafkaBootstrap() == null && cfg.capture() != CapturePolicy.NONE) {
      err.println("warning: no --kafka given: requests are proxied but nothing is captured");
    }
    if (cfg.spoolDir() != null && (cfg.kafkaBootstrap() == null || cfg.capture() == CapturePolicy.NONE)) {
      err.println("warning: --spool-dir has no use without --kafka and capture: it is not opened");
    }
    String keyWarning = RedactionOptions.keyWarning(redaction.keyFile);
    if (keyWarning != null) {
      err.println(keyWarning);
    }
    CaptureProxy proxy;
    try {
      proxy = CaptureProxy.start(cfg);
    } catch (java.io.UncheckedIOException e) {
      throw new UsageException(e.getCause().getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      err.println("stopping proxy...");
      proxy.close();
      stopped.countDown();
    }, "tapline-proxy-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    PrintStream out = System.out;
    out.println("proxy     " + proxy.uri() + "  (service " + cfg.service() + ", " + proxy.transport() + "; "
        + proxy.protocols() + ")");
    if (proxy.adminUri() != null) {
      out.println("admin     " + proxy.adminUri() + "  (/healthz /metrics /routes"
          + (cfg.adminToken() == null ? ")" : "; token required but for /healthz)"));
    }
    out.println("baseline  " + cfg.baseline());
    proxy.routes().snapshot().forEach((k, v) -> out.println("route     " + k + " " + v.describe()));
    out.println("capture   " + cfg.capture().name().toLowerCase(Locale.ROOT)
        + (cfg.kafka() == null ? " (nowhere: no --kafka)" : " -> kafka " + cfg.kafka().describe() + " topic " + cfg.topic()));
    out.println("redaction " + (redaction.keyFile == null
        ? "[REDACTED] markers (no --redact-key-file: logins cannot be linked)"
        : "keyed hashes, key from " + redaction.keyFile));
    if (cfg.spoolDir() != null && cfg.kafka() != null && cfg.capture() != CapturePolicy.NONE) {
      long waiting = proxy.metrics().spooledCount();
      out.println("spool     " + cfg.spoolDir() + "  (up to " + cfg.spoolMaxBytes() + " bytes"
          + (waiting > 0 ? "; " + waiting + " capture(s) from before, sent first)" : ")"));
    }
    if (proxy.adminUri() != null && cfg.adminToken() == null && !Cli.HostPort.loopback(cfg.adminHost())) {
      err.println("warning: the admin port " + proxy.adminUri() + " takes no token and listens beyond this machine:"
          + " anyone who reaches it can change where requests go (give --token or --token-file)");
    }
    out.println("ready: proxy listening on " + proxy.uri() + " (Ctrl-C to stop)");
    out.flush();
    stopped.await();
    return 0;
  }

  ProxyConfig toConfig() {
    ProxyConfig.Builder b = ProxyConfig.builder();
    Cli.HostPort l = Cli.hostPort("--listen", listen);
    b.listen(l.host(), l.port());
    if (service == null || service.isBlank()) {
      throw new UsageException("--service NAME is required (the logical name of the service behind the proxy)");
    }
    b.service(service.trim());
    if (upstream == null || upstream.isBlank()) {
      throw new UsageException("--upstream URL is required (the baseline service, e.g. http://127.0.0.1:8081)");
    }
    b.baseline(Cli.httpOrigin("--upstream", upstream));
    b.routes(routeOptions.routes(Map.of()));
    try {
      b.overrideHeader(routeOptions.overrideHeader);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--override-header " + e.getMessage(), e);
    }
    b.overrideMaxBody(bytes("--override-max-body", overrideMaxBody));
    b.overrideTimeout(Durations.positive("--override-timeout", overrideTimeout));
    if (recorder != null && !recorder.isBlank()) {
      b.recorder(Cli.httpOrigin("--recorder", recorder), serverToken.value());
    }
    b.kafka(kafkaOptions.settings(kafka));
    b.spoolDir(spoolDir);
    long max = ByteSizes.parse("--spool-max", spoolMax);
    if (max < 1 << 20) {
      throw new UsageException("--spool-max must be at least 1MiB (1048576 bytes), got '" + spoolMax + "'");
    }
    b.spoolMaxBytes(max);
    if (topic == null || topic.isBlank()) {
      throw new UsageException("--topic must not be empty");
    }
    b.topic(topic.trim());
    try {
      b.capture(CapturePolicy.valueOf(capture.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--capture must be sandboxed, all or none: " + capture);
    }
    try {
      double rate = Double.parseDouble(sample.trim());
      if (!(rate >= 0 && rate <= 1)) {
        throw new NumberFormatException();
      }
      b.sampleRate(rate);
    } catch (NumberFormatException e) {
      throw new UsageException("--sample must be a number from 0 to 1: " + sample);
    }
    b.maxBodyBytes(bytes("--max-body", maxBody));
    try {
      b.transport(transport);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + e.getMessage(), e); // "transport must be one of ...: X"
    }
    b.upstreamCa(Cli.readableFile("--upstream-ca", upstreamCa));
    listenerTls.applyTo(b);
    b.include(include);
    b.exclude(exclude);
    if (admin != null && !admin.isBlank()) {
      Cli.HostPort a = Cli.hostPort("--admin", admin);
      b.admin(a.host(), a.port());
    }
    b.redactor(redaction.redactor());
    b.adminToken(serverToken.value());
    b.adminAllowedHosts(serverToken.allowedHosts);
    b.maxRoutes(count("--max-routes", maxRoutes));
    b.clientHeaderTimeout(Durations.positive("--header-timeout", headerTimeout));
    b.clientBodyTimeout(Durations.positive("--body-timeout", bodyTimeout));
    b.clientIdleTimeout(Durations.positive("--idle-timeout", idleTimeout));
    b.maxConnections(count("--max-connections", maxConnections));
    b.maxConnectionsPerAddress(count("--max-connections-per-address", maxConnectionsPerAddress));
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** A byte count from 0 to 2147483631. */
  private static int bytes(String flag, String value) {
    try {
      long n = Long.parseLong(value.trim());
      if (n < 0 || n > Integer.MAX_VALUE - 16) {
        throw new NumberFormatException();
      }
      return (int) n;
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " must be a byte count from 0 to 2147483631: " + value);
    }
  }

  /** A whole number from 1 up. */
  private static int count(String flag, String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " must be a whole number from 1 up, got '" + value + "'");
    }
  }

}
