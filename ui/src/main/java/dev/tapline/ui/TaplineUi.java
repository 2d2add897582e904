package dev.tapline.ui;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpHandler;
import dev.tapline.core.http.HttpEdge;
import dev.tapline.recorder.RecorderConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The browser viewer, served by the recorder's HTTP server: Live traffic, exchange detail,
 * endpoint catalog with test generation, and drift runs.
 *
 * <pre>{@code
 * try (TaplineUi ui = TaplineUi.create(UiOptions.builder()
 *         .token(token)                  // the same token the recorder checks, or null
 *         .kafka(bootstrapServers)        // drift runs are read from tapline.drift
 *         .proxyUrl("http://127.0.0.1:8080")
 *         .build())) {
 *   RecorderConfig config = ui.install(RecorderConfig.builder().kafka(...).token(token)).build();
 *   // start the recorder with config; close the UI after the recorder
 * }
 * }</pre>
 *
 * <p>Mounted paths: {@code /assets/} (scripts, styles, uPlot) and {@code /login} without the
 * recorder's token check (the login page needs its stylesheet; assets hold no data), and behind it
 * {@code /} (the page), {@code /api/ui/config}, {@code /api/generate}, {@code /api/drift/runs}. Every
 * captured value is rendered as text in the browser; the page needs no inline script or style, so
 * the recorder's strict Content-Security-Policy holds.
 */
public final class TaplineUi implements AutoCloseable {
  private final UiOptions options;
  private final @Nullable DriftRuns driftRuns;
  private final Map<String, HttpHandler> handlers;
  private final Map<String, HttpHandler> publicHandlers;

  private TaplineUi(UiOptions options, GenerateApi.Generator generator) {
    this.options = requireNonNull(options, "options");
    this.driftRuns = options.kafkaSettings() == null ? null
        : new DriftRuns(options.kafkaSettings(), options.driftTopic(), options.maxDriftRuns()).start();
    Map<String, HttpHandler> priv = new LinkedHashMap<>();
    priv.put("/api/ui/config", new UiConfigApi(options));
    priv.put("/api/generate", new GenerateApi(options.token(), generator));
    priv.put("/api/drift", new DriftApi(driftRuns, options.driftTopic()));
    StaticAssets assets = new StaticAssets(HttpEdge.token(options.token()));
    priv.put("/", assets);
    Map<String, HttpHandler> pub = new LinkedHashMap<>();
    pub.put("/assets", assets);
    pub.put("/login", new Login(options.token()));
    this.handlers = Map.copyOf(priv);
    this.publicHandlers = Map.copyOf(pub);
  }

  /** Creates the UI's handlers and, when {@link UiOptions#kafka()} is set, starts reading drift runs. */
  public static TaplineUi create(UiOptions options) {
    return new TaplineUi(options, Testgen::generate);
  }

  /**
   * Mounts every handler on the recorder being configured: {@link #handlers()} as extensions
   * (behind the token), {@link #publicHandlers()} as public extensions.
   *
   * @return {@code builder}, for chaining
   */
  public RecorderConfig.Builder install(RecorderConfig.Builder builder) {
    requireNonNull(builder, "builder");
    handlers.forEach(builder::extension);
    publicHandlers.forEach(builder::publicExtension);
    return builder;
  }

  /** Context path → handler to mount behind the recorder's token check. */
  public Map<String, HttpHandler> handlers() {
    return handlers;
  }

  /** Context path → handler to mount without the token check (assets, login). */
  public Map<String, HttpHandler> publicHandlers() {
    return publicHandlers;
  }

  public UiOptions options() {
    return options;
  }

  /** Stops reading drift runs. Idempotent. */
  @Override
  public void close() {
    if (driftRuns != null) {
      driftRuns.close();
    }
  }
}
