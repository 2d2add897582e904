package dev.tapline.proxy;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.AsciiString;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/** What every connection of one proxy shares. Immutable after start except the router's route table. */
final class ProxyState {
  final ProxyConfig config;
  final Router router;
  final CaptureRules captures;
  final ProxyMetrics metrics;
  final CapturePublisher publisher;
  final UpstreamPool pool;
  /** Client TLS for {@code https://} upstreams: the JDK's trust store or the configured CA file. */
  final SslContext tls;
  /** Exchanges between request head and response end, for a graceful close. */
  final LongAdder inFlight = new LongAdder();
  /** The caps on open client connections. */
  final ConnectionLimits limits;
  /** The response header by which an override keeps its answer. */
  final AsciiString overrideHeader;
  /** Reads recorded responses for mock rules; null when the proxy knows no recorder. */
  final @Nullable RecordedMocks mocks;

  ProxyState(ProxyConfig config, Router router, ProxyMetrics metrics, CapturePublisher publisher, Transport transport,
      SslContext tls) {
    this(config, router, metrics, publisher, transport, tls, null);
  }

  ProxyState(ProxyConfig config, Router router, ProxyMetrics metrics, CapturePublisher publisher, Transport transport,
      SslContext tls, @Nullable RecordedMocks mocks) {
    this.config = config;
    this.overrideHeader = AsciiString.cached(config.overrideHeader());
    this.mocks = mocks;
    this.router = router;
    this.captures = new CaptureRules(config);
    this.metrics = metrics;
    this.publisher = publisher;
    this.pool = new UpstreamPool(transport, this);
    this.tls = tls;
    this.limits = new ConnectionLimits(config.maxConnections(), config.maxConnectionsPerAddress());
    metrics.openConnections(limits::open);
  }

  /**
   * Client TLS for {@code https://} upstreams: JDK provider, TLS 1.3/1.2, host-name verification.
   *
   * @param ca PEM certificates to trust, or null for the JDK's trust store
   * @throws IllegalArgumentException when the file holds no usable certificate
   */
  static SslContext clientTls(@Nullable Path ca) {
    try {
      SslContextBuilder b = SslContextBuilder.forClient()
          .sslProvider(SslProvider.JDK)
          .protocols("TLSv1.3", "TLSv1.2")
          .endpointIdentificationAlgorithm("HTTPS"); // the certificate must name the upstream host
      if (ca != null) {
        b.trustManager(ca.toFile());
      }
      return b.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(ca == null
          ? "TLS for https upstreams cannot be set up with the JDK's trust store: " + e.getMessage()
          : "upstream CA file " + ca + " holds no usable PEM certificate: " + e.getMessage(), e);
    }
  }
}
