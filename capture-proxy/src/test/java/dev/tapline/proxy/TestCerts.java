package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A key pair and self-signed certificate made with the JDK's keytool, as an operator would: the
 * server side of a test TLS upstream ({@link #keyManagers()}) and the PEM file a proxy is told to
 * trust ({@link #pem()}).
 */
record TestCerts(Path keystore, Path pem, KeyManagerFactory keyManagers, Path keyPem) {
  private static final char[] PASS = "changeit".toCharArray();

  /**
   * @param san keytool's subject-alternative-name extension, e.g. {@code SAN=ip:127.0.0.1,dns:localhost}
   */
  static TestCerts make(Path dir, String name, String san) throws Exception {
    Path ks = dir.resolve(name + ".p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=" + name, "-ext", san, "-storetype", "PKCS12", "-keystore", ks.toString(),
        "-storepass", new String(PASS), "-keypass", new String(PASS))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(ks.toFile())) {
      store.load(in, PASS);
    }
    Path pem = dir.resolve(name + ".pem");
    Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(store.getCertificate(name).getEncoded())
        + "\n-----END CERTIFICATE-----\n");
    // The private key as an operator hands it to the proxy (--tls-key): unencrypted PKCS#8 PEM.
    Path keyPem = dir.resolve(name + ".key.pem");
    Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(store.getKey(name, PASS).getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, PASS);
    return new TestCerts(ks, pem, kmf, keyPem);
  }

  /** A client context that trusts this certificate only. */
  SSLContext clientContext() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(pem)) {
      trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
