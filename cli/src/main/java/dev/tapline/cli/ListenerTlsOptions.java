package dev.tapline.cli;

import dev.tapline.proxy.ProxyConfig;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --tls-cert} and {@code --tls-key}: TLS (and with it HTTP/2 by ALPN) on the proxy's listener. */
final class ListenerTlsOptions {
  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "Serve TLS on the proxy's listener with this PEM certificate chain (needs --tls-key): clients then"
          + " speak HTTPS, HTTP/2 or HTTP/1.1 as ALPN decides. Without it the listener speaks plain HTTP/1.1 and h2c."
          + " The file is read again when it changes; open connections are kept.")
  @Nullable Path cert;

  @Option(names = "--tls-key", paramLabel = "FILE",
      description = "The private key of --tls-cert, unencrypted PEM (-----BEGIN PRIVATE KEY-----, PKCS#8); keep it"
          + " readable by the proxy's user only.")
  @Nullable Path key;

  /** Puts the pair on {@code b}; one without the other, or a file that cannot be read, is a usage error. */
  void applyTo(ProxyConfig.Builder b) {
    if ((cert == null) != (key == null)) {
      throw new UsageException(cert == null ? "--tls-key needs --tls-cert (the certificate it is the key of)"
          : "--tls-cert needs --tls-key (its private key, PEM)");
    }
    b.tls(Cli.readableFile("--tls-cert", cert), Cli.readableFile("--tls-key", key));
  }
}
