package dev.tapline.cli;

import dev.tapline.core.PrivateFiles;
import dev.tapline.core.endpoint.Endpoints;
import dev.tapline.core.kafka.KafkaSettings;
import dev.tapline.core.kafka.Topics;
import dev.tapline.examples.OrdersService;
import dev.tapline.examples.clinic.ClinicService;
import dev.tapline.kafka.embedded.EmbeddedKafka;
import dev.tapline.proxy.RouteSpec;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tapline up}: the whole pipeline on one machine. Embedded Kafka (unless {@code --kafka}),
 * the capture proxy, the recorder with its API and UI; with {@code --demo}, the example orders
 * service as baseline (v1) and sandbox (v2, routing key {@code demo-v2}) behind the proxy.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    header = "Runs the whole pipeline on this machine: embedded Kafka, the capture proxy, and the recorder with its API and UI.",
    description = {
      "Everything listens on loopback. Ctrl-C stops everything.",
      "Under 'up' the proxy captures all traffic (baseline too) unless --capture says otherwise.",
      "",
      "  tapline up --demo                                  # example service, baseline + sandbox",
      "  tapline up --demo clinic                           # the clinic API under /clinic/api instead",
      "  tapline up --service orders --upstream http://127.0.0.1:9000 --sandbox dev-1=http://127.0.0.1:9001",
      "  tapline up --demo --override demo-v2=http://127.0.0.1:8000  # yours first",
      "",
      "The proxy reads the recorder started here for mock rules that answer with",
      "a recorded exchange (tapline route edits the routes).",
      ""
    })
final class UpCommand implements Callable<Integer> {
  static final String DEMO_KEY = "demo-v2";
  private boolean demo;
  private long spoolMaxBytes;

  @Mixin ConfigOption config;

  @Option(names = "--demo", arity = "0..1", fallbackValue = "orders", paramLabel = "orders|clinic",
      description = "Also start an example service (baseline v1, sandbox v2 for routing key demo-v2) behind the proxy:"
          + " the orders API (the default), or the clinic API under /clinic/api, written with the habits of real"
          + " services (integer ids per table, nested resources, problem+json errors, links with the host).")
  @Nullable String demoApi;

  @Option(names = "--kafka", paramLabel = "BOOTSTRAP", description = "Use this Kafka cluster instead of the embedded broker.")
  @Nullable String kafka;

  @Mixin KafkaOptions kafkaOptions = new KafkaOptions();

  @Option(names = "--kafka-port", paramLabel = "K", defaultValue = "9092", description = "Run the embedded broker on this port; 0 picks any free port (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".tapline", description = "The embedded broker, the index and the proxy's capture spool keep their data here (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--spool-max", paramLabel = "BYTES", defaultValue = "1GiB",
      description = "The proxy's spool (DIR/spool, where captures wait while Kafka is unreachable) holds at most this"
          + " many bytes, e.g. 512MiB or 2GiB; beyond it captures are dropped and counted, never the requests"
          + " (default: ${DEFAULT-VALUE}).")
  String spoolMax;

  @Option(names = "--proxy-port", paramLabel = "P", defaultValue = "8080", description = "Proxy port (default: ${DEFAULT-VALUE}).")
  int proxyPort;

  @Option(names = "--admin-port", paramLabel = "A", defaultValue = "0", description = "Proxy admin port: /healthz, /metrics, /routes; behind --token like the API (default: any free port).")
  int adminPort;

  @Option(names = "--http-port", paramLabel = "H", defaultValue = "7070", description = "Recorder API and UI port (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--service", paramLabel = "NAME", description = "Logical name of the service behind the proxy.")
  @Nullable String service;

  @Option(names = "--upstream", paramLabel = "URL", description = "The baseline upstream of your own service.")
  @Nullable String upstream;

  @Mixin RouteOptions routeOptions = new RouteOptions();

  @Option(names = "--upstream-ca", paramLabel = "FILE", description = "PEM certificate(s) to trust for https:// upstreams and sandboxes instead of the JDK's trust store.")
  @Nullable Path upstreamCa;

  @Mixin ListenerTlsOptions listenerTls = new ListenerTlsOptions();

  @Option(names = "--capture", paramLabel = "POLICY", defaultValue = "all", description = "What to capture: sandboxed, all or none (default under 'up': ${DEFAULT-VALUE}).")
  String capture;

  @Mixin RedactionOptions redaction = new RedactionOptions();

  @Mixin ServerToken serverToken = new ServerToken();

  @Mixin GraphqlPaths graphqlPaths = new GraphqlPaths();
  @Mixin QueryLimitOptions limits = new QueryLimitOptions();

  @Override
  public Integer call() throws Exception {
    if ("true".equalsIgnoreCase(demoApi)) {
      demoApi = "orders"; // demo: true in a config file, TAPLINE_DEMO=true
    } else if ("false".equalsIgnoreCase(demoApi)) {
      demoApi = null;
    }
    demo = demoApi != null;
    validate();
    PrintStream out = System.out;
    Deque<AutoCloseable> running = new ArrayDeque<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      closeAll(running);
      stopped.countDown();
    }, "tapline-up-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      PrivateFiles.directory(dataDir);
      KafkaSettings kafkaSettings = kafkaOptions.settings(kafka);
      if (kafkaSettings == null) {
        System.err.println("starting embedded Kafka ...");
        EmbeddedKafka broker = EmbeddedKafka.start(dataDir.resolve("kafka"), kafkaPort);
        running.push(broker);
        kafkaSettings = KafkaSettings.of(broker.bootstrapServers());
      }
      String bootstrap = kafkaSettings.bootstrapServers();
      String svc = service;
      @Nullable URI baseline;
      Map<String, URI> demoRoutes = new LinkedHashMap<>();
      if (demo && demoApi.equals("clinic")) {
        ClinicService v1 = ClinicService.start(ClinicService.Version.V1, 0);
        running.push(v1);
        ClinicService v2 = ClinicService.start(ClinicService.Version.V2, 0);
        running.push(v2);
        svc = "clinic";
        baseline = URI.create("http://127.0.0.1:" + v1.port());
        demoRoutes.put(DEMO_KEY, URI.create("http://127.0.0.1:" + v2.port()));
      } else if (demo) {
        OrdersService v1 = OrdersService.start(OrdersService.Version.V1, 0);
        running.push(v1);
        OrdersService v2 = OrdersService.start(OrdersService.Version.V2, 0);
        running.push(v2);
        svc = "orders";
        baseline = v1.baseUri();
        demoRoutes.put(DEMO_KEY, v2.baseUri());
      } else if (upstream != null) {
        baseline = Cli.httpOrigin("--upstream", upstream);
      } else {
        baseline = null; // no service yet: Kafka and the recorder only
      }
      Map<String, RouteSpec> routes = routeOptions.routes(demoRoutes);
      Path keyFile = redaction.keyFile != null ? redaction.keyFile : dataDir.resolve(RedactKeyFile.DEFAULT_NAME);
      if (redaction.keyFile == null && RedactKeyFile.createIfMissing(keyFile)) {
        System.err.println("made the redaction key " + keyFile + " (owner-only; reused from now on)");
      }
      String keyWarning = RedactionOptions.keyWarning(keyFile);
      if (keyWarning != null) {
        System.err.println(keyWarning);
      }
      Stack stack = Stack.start(new Stack.Settings(kafkaSettings, Topics.EXCHANGES, svc, baseline, routes,
          routeOptions.overrideHeader, upstreamCa, capture, proxyPort, adminPort, httpPort, dataDir.resolve("index"),
          dataDir.resolve("spool"), spoolMaxBytes, serverToken.value(), serverToken.allowedHosts,
          Endpoints.of(graphqlPaths.resolver()), limits, redaction.redactor(keyFile), listenerTls),
          running);

      out.println();
      line(out, "kafka", kafkaSettings.describe());
      if (stack.proxyUri() != null) {
        line(out, "proxy", String.valueOf(stack.proxyUri()));
        line(out, "proxy admin", String.valueOf(stack.adminUri()));
        for (Map.Entry<String, RouteSpec> r : stack.routes().entrySet()) {
          line(out, "route " + r.getKey(), r.getValue().describe());
        }
      }
      line(out, "recorder API/UI", stack.recorderUri().toString());
      line(out, "redaction key", keyFile + "   (keyed hashes: generate and replay link logins to their use)");
      if (demo) {
        line(out, "baseline (v1)", baseline.toString());
        line(out, "sandbox (v2)", demoRoutes.get(DEMO_KEY) + "   routing key " + DEMO_KEY);
        out.println();
        out.println("Try it:");
        if (demoApi.equals("clinic")) {
          out.println("  curl -s " + stack.proxyUri() + ClinicService.CONTEXT_PATH + "/owners/1 -H 'baggage: sd-routing-key=" + DEMO_KEY + "'");
          out.println("  ./tapline demo-traffic --api clinic --target " + stack.proxyUri() + " --requests 300");
        } else {
          out.println("  curl -s " + stack.proxyUri() + "/orders -H 'content-type: application/json' \\");
          out.println("       -H 'baggage: sd-routing-key=" + DEMO_KEY + "' -d '{\"customer\":\"ann\",\"items\":[{\"sku\":\"A-1\",\"quantity\":2,\"price\":9.99}]}'");
          out.println("  ./tapline demo-traffic --target " + stack.proxyUri() + " --routing-key " + DEMO_KEY + " --requests 100");
        }
        out.println("  ./tapline tail --kafka " + bootstrap + " --from-beginning");
        out.println("  ./tapline route set " + DEMO_KEY + " --override http://127.0.0.1:8000 --path '/orders/**' --admin "
            + stack.adminUri() + (serverToken.value() == null ? "" : " --token-file FILE"));
        out.println("  open " + stack.recorderUri());
      }
      out.println();
      if (stack.proxyUri() != null) {
        out.println("tapline ready: service '" + svc + "' behind " + stack.proxyUri() + ", UI at " + stack.recorderUri() + " (Ctrl-C stops)");
      } else {
        out.println("tapline ready: Kafka at " + bootstrap + ", UI at " + stack.recorderUri()
            + "; no proxy (give --demo, or --service and --upstream) (Ctrl-C stops)");
      }
      out.flush();
      stopped.await();
      return 0;
    } catch (Exception e) {
      closeAll(running);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // shutting down already
      }
      throw e;
    }
  }

  private void validate() {
    if (demo && !demoApi.equals("orders") && !demoApi.equals("clinic")) {
      throw new UsageException("--demo takes orders or clinic, got '" + demoApi + "'");
    }
    if (demo && upstream != null) {
      throw new UsageException("--demo and --upstream exclude each other: --demo runs the example service as the upstream");
    }
    if (!demo && upstream == null && (service != null || !routeOptions.noFlags())) {
      throw new UsageException("--upstream URL is required with --service, --sandbox, --override or --routes");
    }
    Cli.readableFile("--upstream-ca", upstreamCa);
    if (!demo && upstream != null && service == null) {
      throw new UsageException("--service NAME is required with --upstream");
    }
    String[] flags = {"--kafka-port", "--proxy-port", "--admin-port", "--http-port"};
    // --kafka-port is the embedded broker's: only checked when no Kafka is given (--kafka or a --kafka-config).
    int[] ports = {kafkaOptions.settings(kafka) == null ? kafkaPort : 0, proxyPort, adminPort, httpPort};
    for (int i = 0; i < ports.length; i++) {
      if (ports[i] < 0 || ports[i] > 65535) {
        throw new UsageException(flags[i] + " must be from 0 to 65535, got " + ports[i]);
      }
      for (int j = 0; j < i; j++) {
        if (ports[i] != 0 && ports[i] == ports[j]) {
          throw new UsageException(flags[j] + " and " + flags[i] + " both name port " + ports[i] + "; give each its own");
        }
      }
      new Cli.HostPort("127.0.0.1", ports[i]).requireFree(flags[i]);
    }
    Stack.capturePolicy(capture);
    spoolMaxBytes = ByteSizes.parse("--spool-max", spoolMax);
    if (spoolMaxBytes < 1 << 20) {
      throw new UsageException("--spool-max must be at least 1MiB (1048576 bytes), got '" + spoolMax + "'");
    }
    limits.validate();
    redaction.redactor();
  }

  private static void line(PrintStream out, String name, String where) {
    out.printf("  %-17s %s%n", name, where);
  }

  static void closeAll(Deque<AutoCloseable> running) {
    while (true) {
      AutoCloseable c;
      synchronized (running) {
        c = running.poll();
      }
      if (c == null) {
        return;
      }
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("tapline up: stopping " + c.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
  }

}
