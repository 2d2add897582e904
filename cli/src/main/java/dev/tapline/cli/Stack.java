package dev.tapline.cli;

import dev.tapline.core.Metrics;
import dev.tapline.core.Redactor;
import dev.tapline.core.endpoint.Endpoints;
import dev.tapline.proxy.CapturePolicy;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ProxyConfig;
import dev.tapline.proxy.RouteSpec;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import dev.tapline.ui.TaplineUi;
import dev.tapline.ui.UiOptions;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The running parts of {@code tapline up} after Kafka: the proxy (when there is a service to put
 * behind it, with its disk spool) and the recorder with the UI mounted on its HTTP server. The token and the allowed host
 * names guard both the recorder's HTTP server and the proxy's admin port. Each part is pushed onto
 * {@code running} as soon as it starts, so a failure later still stops what came before.
 */
final class Stack {
  record Settings(
      String kafka,
      String topic,
      @Nullable String service,
      @Nullable URI baseline,
      Map<String, RouteSpec> routes,
      String overrideHeader,
      @Nullable Path upstreamCa,
      String capture,
      int proxyPort,
      int adminPort,
      int httpPort,
      Path indexDir,
      @Nullable Path spoolDir,
      long spoolMaxBytes,
      @Nullable String token,
      List<String> allowedHosts,
      Endpoints endpoints,
      QueryLimitOptions limits,
      Redactor redactor) {}

  private final @Nullable CaptureProxy proxy;
  private final Recorder recorder;

  private Stack(@Nullable CaptureProxy proxy, Recorder recorder) {
    this.proxy = proxy;
    this.recorder = recorder;
  }

  static CapturePolicy capturePolicy(String value) {
    try {
      return CapturePolicy.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--capture must be sandboxed, all or none, got '" + value + "'");
    }
  }

  static Stack start(Settings s, Deque<AutoCloseable> running) {
    // One registry for the process: every /metrics shows the proxy, the recorder and the JVM.
    PrometheusMeterRegistry meters = Metrics.processRegistry();
    // The proxy starts first (the UI shows its address), yet reads the recorder for recorded mocks:
    // it is given the recorder's address before the recorder listens on it.
    int httpPort = s.httpPort() == 0 ? freePort() : s.httpPort();
    CaptureProxy proxy = null;
    if (s.baseline() != null && s.service() != null) {
      proxy = CaptureProxy.start(ProxyConfig.builder()
          .listen("127.0.0.1", s.proxyPort())
          .service(s.service())
          .baseline(s.baseline())
          .routes(s.routes())
          .overrideHeader(s.overrideHeader())
          .recorder(URI.create("http://127.0.0.1:" + httpPort), s.token())
          .upstreamCa(s.upstreamCa())
          .kafkaBootstrap(s.kafka())
          .topic(s.topic())
          .capture(capturePolicy(s.capture()))
          .redactor(s.redactor())
          .spoolDir(s.spoolDir())
          .spoolMaxBytes(s.spoolMaxBytes())
          .admin("127.0.0.1", s.adminPort())
          .adminToken(s.token())
          .adminAllowedHosts(s.allowedHosts())
          .meterRegistry(meters)
          .build());
      push(running, proxy);
    }
    TaplineUi ui = TaplineUi.create(UiOptions.builder()
        .token(s.token())
        .kafka(s.kafka())
        .proxyUrl(proxy == null ? null : proxy.uri().toString())
        .build());
    push(running, ui);
    RecorderConfig config = s.limits().applyTo(ui.install(RecorderConfig.builder()
            .kafka(s.kafka())
            .topic(s.topic())
            .indexDir(s.indexDir())
            .http("127.0.0.1", httpPort)
            .token(s.token())
            .allowedHosts(s.allowedHosts())
            .endpoints(s.endpoints())
            .meterRegistry(meters)))
        .build();
    Recorder recorder = Recorder.start(config);
    push(running, recorder);
    return new Stack(proxy, recorder);
  }

  /** A port free now, for a server that starts a moment later (only when the caller asked for any port). */
  private static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("no free port for the recorder: " + e.getMessage(), e);
    }
  }

  private static void push(Deque<AutoCloseable> running, AutoCloseable c) {
    synchronized (running) {
      running.push(c);
    }
  }

  @Nullable URI proxyUri() {
    return proxy == null ? null : proxy.uri();
  }

  @Nullable URI adminUri() {
    return proxy == null ? null : proxy.adminUri();
  }

  /** The proxy's routes now; empty without a proxy. */
  Map<String, RouteSpec> routes() {
    return proxy == null ? Map.of() : proxy.routes().snapshot();
  }

  URI recorderUri() {
    return recorder.baseUri();
  }
}
