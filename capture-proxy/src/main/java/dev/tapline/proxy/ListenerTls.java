package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on the proxy's listener: the server context built from a PEM certificate chain and a PEM
 * (PKCS#8) private key, offering HTTP/2 and HTTP/1.1 by ALPN. BoringSSL (netty-tcnative) where it
 * loads, else the JDK's TLS; TLS 1.3 and 1.2 with the ciphers HTTP/2 allows.
 *
 * <p>The two files are looked at every {@code reloadEvery}; when either changed (time or size), a new
 * context is built and used for connections accepted from then on. Open connections keep the
 * context they were accepted with, so a certificate rotation drops nothing. A pair that does not
 * load (half-written, or a key that does not match the certificate) is reported once and the
 * previous context stays until the files change again.
 */
final class ListenerTls implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ListenerTls.class);
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

  private final Path cert;
  private final Path key;
  private final SslProvider provider;
  private volatile SslContext context;
  private volatile X509Certificate leaf;
  private @Nullable Stamp loaded;
  private @Nullable Stamp failed;
  private final ScheduledExecutorService watcher;

  private record Stamp(long certModified, long certSize, long keyModified, long keySize) {}

  private record Loaded(SslContext context, X509Certificate leaf) {}

  private ListenerTls(Path cert, Path key, Duration reloadEvery) {
    this.cert = requireNonNull(cert, "cert");
    this.key = requireNonNull(key, "key");
    this.provider = SslProvider.isAlpnSupported(SslProvider.OPENSSL) ? SslProvider.OPENSSL : SslProvider.JDK;
    Stamp stamp = stamp();
    Loaded l = load(cert, key, provider);
    this.context = l.context();
    this.leaf = l.leaf();
    this.loaded = stamp;
    this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tapline-tls-reload");
      t.setDaemon(true);
      return t;
    });
    long ms = Math.max(1, reloadEvery.toMillis());
    watcher.scheduleWithFixedDelay(this::reloadIfChanged, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Loads the pair and watches it every {@code reloadEvery}.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  static ListenerTls start(Path cert, Path key, Duration reloadEvery) {
    return new ListenerTls(cert, key, reloadEvery);
  }

  /** A handler for one accepted connection, with the context in force now. */
  SslHandler newHandler(ByteBufAllocator alloc, long handshakeTimeoutMillis) {
    SslHandler h = context.newHandler(alloc);
    h.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    return h;
  }

  /** {@code OpenSSL} (BoringSSL through netty-tcnative) or {@code JDK}. */
  String provider() {
    return provider == SslProvider.OPENSSL ? "OpenSSL" : "JDK";
  }

  /** The leaf certificate in force. */
  X509Certificate certificate() {
    return leaf;
  }

  /** Looks at the files now; called by the watcher, and by tests. */
  synchronized void reloadIfChanged() {
    Stamp now;
    try {
      now = stamp();
    } catch (IllegalArgumentException e) {
      if (failed == null) {
        log.warn("TLS: {}; still serving the certificate loaded before", e.getMessage());
        failed = new Stamp(-1, -1, -1, -1);
      }
      return;
    }
    if (now.equals(loaded) || now.equals(failed)) {
      return;
    }
    try {
      Loaded l = load(cert, key, provider);
      context = l.context();
      leaf = l.leaf();
      loaded = now;
      failed = null;
      log.info("TLS: reloaded {} and {} (subject {}, valid until {}); new connections use them", cert, key,
          l.leaf().getSubjectX500Principal().getName(), l.leaf().getNotAfter().toInstant());
    } catch (IllegalArgumentException e) {
      failed = now;
      log.warn("TLS: {}; still serving the certificate loaded before", e.getMessage());
    }
  }

  private Stamp stamp() {
    try {
      BasicFileAttributes c = Files.readAttributes(cert, BasicFileAttributes.class);
      BasicFileAttributes k = Files.readAttributes(key, BasicFileAttributes.class);
      return new Stamp(c.lastModifiedTime().toMillis(), c.size(), k.lastModifiedTime().toMillis(), k.size());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the TLS certificate or key: " + e.getMessage(), e);
    }
  }

  private static Loaded load(Path cert, Path key, SslProvider provider) {
    List<X509Certificate> chain = certificates(cert);
    PrivateKey pk = privateKey(key);
    X509Certificate leaf = chain.get(0);
    if (!matches(pk, leaf)) {
      throw new IllegalArgumentException("TLS key " + key + " is not the key of the certificate in " + cert
          + " (subject " + leaf.getSubjectX500Principal().getName() + ")");
    }
    try {
      SslContext ctx = SslContextBuilder.forServer(pk, chain.toArray(X509Certificate[]::new))
          .sslProvider(provider)
          .protocols("TLSv1.3", "TLSv1.2")
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              // Both kinds of provider: an unknown offer is answered without ALPN, i.e. HTTP/1.1.
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
          .build();
      return new Loaded(ctx, leaf);
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException("TLS certificate " + cert + " and key " + key + " cannot be used: "
          + e.getMessage(), e);
    }
  }

  private static List<X509Certificate> certificates(Path file) {
    String pem = read(file, "certificate");
    StringBuilder blocks = new StringBuilder();
    Matcher m = PEM.matcher(pem);
    boolean key = false;
    while (m.find()) {
      if (m.group(1).equals("CERTIFICATE")) {
        blocks.append(m.group()).append('\n');
      } else {
        key |= m.group(1).endsWith("PRIVATE KEY");
      }
    }
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("TLS certificate file " + file + " holds no PEM certificate (-----BEGIN"
          + " CERTIFICATE-----)" + (key ? "; it holds a private key: are the certificate and key swapped?" : ""));
    }
    pem = blocks.toString();
    try {
      List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .stream().map(X509Certificate.class::cast).toList();
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("TLS certificate file " + file
            + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
      }
      return chain;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS certificate file " + file + " holds no usable PEM certificate: "
          + e.getMessage(), e);
    }
  }

  /** An unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}), RSA, EC or Ed25519. */
  private static PrivateKey privateKey(Path file) {
    String pem = read(file, "key");
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      String type = m.group(1);
      if (type.equals("PRIVATE KEY")) {
        byte[] der;
        try {
          der = Base64.getMimeDecoder().decode(m.group(2).trim());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("TLS key file " + file + ": the PRIVATE KEY block is not base64", e);
        }
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
          try {
            return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
          } catch (GeneralSecurityException e) {
            // the next algorithm
          }
        }
        throw new IllegalArgumentException("TLS key file " + file + " holds a PKCS#8 key of an algorithm the JDK"
            + " cannot read (RSA, EC and Ed25519 are supported)");
      }
      if (type.equals("ENCRYPTED PRIVATE KEY")) {
        throw new IllegalArgumentException("TLS key file " + file + " is encrypted; give an unencrypted key (keep"
            + " the file readable by the proxy's user only): openssl pkcs8 -in " + file + " -out key.pem");
      }
      if (type.endsWith("PRIVATE KEY")) {
        throw new IllegalArgumentException("TLS key file " + file + " holds a " + type + " (not PKCS#8); convert it:"
            + " openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
      }
    }
    throw new IllegalArgumentException("TLS key file " + file + " holds no PEM private key (-----BEGIN PRIVATE"
        + " KEY-----)");
  }

  private static boolean matches(PrivateKey key, X509Certificate cert) {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (alg == null) {
      return true; // left to the TLS provider
    }
    try {
      byte[] probe = "tapline".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String read(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("TLS " + what + " file " + file + " cannot be read: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("TLS " + what + " file " + file + " is not PEM text", e);
    }
  }

  @Override
  public void close() {
    watcher.shutdownNow();
  }

  @Override
  public String toString() {
    return "TLS " + provider() + " " + cert + " " + Objects.toString(leaf.getSubjectX500Principal().getName());
  }
}
