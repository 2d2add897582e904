package dev.tapline.proxy;

import io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Which requests are captured: the {@link CapturePolicy}, then the sample rate, then the path
 * globs; never a WebSocket handshake (the tunnel after it is not HTTP). Opens the {@link Capture}
 * of a request that is.
 */
final class CaptureRules {
  private final CapturePolicy policy;
  private final double sampleRate;
  private final PathGlobs globs;
  private final int maxBodyBytes;

  CaptureRules(ProxyConfig config) {
    this.policy = config.capture();
    this.sampleRate = config.sampleRate();
    this.globs = PathGlobs.of(config.include(), config.exclude());
    this.maxBodyBytes = config.maxBodyBytes();
  }

  /**
   * The capture of {@code request}, which came over {@code client}, snapshotting its headers (call
   * before they are rewritten for the upstream), or null when it is not captured.
   */
  @Nullable Capture open(HttpRequest request, Target target, String authority, boolean webSocket,
      ClientConnection client, long startNanos) {
    if (webSocket || !captures(target.routingKey(), request.uri())) {
      return null;
    }
    return new Capture(startNanos, target.routingKey(), target.label(), request.method().name(), request.uri(),
        authority, client.scheme(), client.protocol(request), request.headers(), maxBodyBytes);
  }

  boolean captures(@Nullable String routingKey, String uri) {
    switch (policy) {
      case NONE:
        return false;
      case SANDBOXED:
        if (routingKey == null) {
          return false;
        }
        break;
      case ALL:
        break;
    }
    if (sampleRate < 1.0 && ThreadLocalRandom.current().nextDouble() >= sampleRate) {
      return false;
    }
    if (globs.isEmpty()) {
      return true;
    }
    int q = uri.indexOf('?');
    return globs.matches(q < 0 ? uri : uri.substring(0, q));
  }
}
