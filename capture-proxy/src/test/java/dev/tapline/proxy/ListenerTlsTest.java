package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener's certificate and key: reloaded when the files change while open connections carry
 * on, clear errors for files that cannot serve, and curl (where installed) getting HTTP/2 over TLS
 * and h2c.
 */
class ListenerTlsTest {
  @TempDir Path dir;

  @Test
  void aNewCertificateIsServedToNewConnectionsWhileOpenOnesCarryOn() throws Exception {
    TestCerts first = TestCerts.make(dir, "first", "SAN=ip:127.0.0.1");
    TestCerts second = TestCerts.make(dir, "second", "SAN=ip:127.0.0.1");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    install(first, cert, key);
    try (TestUpstream up = TestUpstream.start("baseline");
         CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(up.uri())
             .tls(cert, key).tlsReloadInterval(Duration.ofMillis(100)).capture(CapturePolicy.NONE).build());
         SSLSocket open = connect(proxy.port())) {
      assertThat(subject(open)).contains("CN=first");
      assertThat(get(open, "/before").status()).isEqualTo(200);

      install(second, cert, key);
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (SSLSocket s = connect(proxy.port())) {
          return subject(s).contains("CN=second");
        }
      });
      // The connection opened before the change is still served, with the certificate it began with.
      assertThat(get(open, "/after").status()).isEqualTo(200);
      assertThat(subject(open)).contains("CN=first");
      try (SSLSocket fresh = connect(proxy.port())) {
        assertThat(get(fresh, "/fresh").status()).isEqualTo(200);
      }
    }
  }

  @Test
  void aHalfWrittenPairKeepsTheOldCertificate() throws Exception {
    TestCerts first = TestCerts.make(dir, "first", "SAN=ip:127.0.0.1");
    TestCerts second = TestCerts.make(dir, "second", "SAN=ip:127.0.0.1");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    install(first, cert, key);
    try (TestUpstream up = TestUpstream.start("baseline");
         CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(up.uri())
             .tls(cert, key).tlsReloadInterval(Duration.ofHours(1)).capture(CapturePolicy.NONE).build())) {
      Files.copy(second.pem(), cert, StandardCopyOption.REPLACE_EXISTING); // the key is still the first one
      proxy.listenerTls().reloadIfChanged();
      assertThat(proxy.listenerTls().certificate().getSubjectX500Principal().getName()).isEqualTo("CN=first");
      Files.copy(second.keyPem(), key, StandardCopyOption.REPLACE_EXISTING);
      Files.setLastModifiedTime(key, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
      proxy.listenerTls().reloadIfChanged();
      assertThat(proxy.listenerTls().certificate().getSubjectX500Principal().getName()).isEqualTo("CN=second");
    }
  }

  @Test
  void filesThatCannotServeAreRefusedAtStartSayingWhy() throws Exception {
    TestCerts a = TestCerts.make(dir, "a", "SAN=ip:127.0.0.1");
    TestCerts b = TestCerts.make(dir, "b", "SAN=ip:127.0.0.1");
    ProxyConfig.Builder base = ProxyConfig.builder().service("orders").baseline(java.net.URI.create("http://127.0.0.1:1"))
        .capture(CapturePolicy.NONE);
    assertThatThrownBy(() -> CaptureProxy.start(base.tls(a.pem(), b.keyPem()).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not the key of the certificate");
    Path pkcs1 = dir.resolve("rsa.pem");
    Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> CaptureProxy.start(base.tls(a.pem(), pkcs1).build()))
        .hasMessageContaining("RSA PRIVATE KEY").hasMessageContaining("openssl pkcs8 -topk8");
    assertThatThrownBy(() -> CaptureProxy.start(base.tls(a.keyPem(), a.keyPem()).build()))
        .hasMessageContaining("holds no PEM certificate");
    assertThatThrownBy(() -> base.tls(a.pem(), null).build()).hasMessageContaining("both a certificate and its key");
  }

  @Test
  void curlGetsHttp2OverTlsAndByPriorKnowledge() throws Exception {
    Assumptions.assumeTrue(curlHasHttp2(), "curl with HTTP/2 is not installed");
    TestCerts certs = TestCerts.make(dir, "curl", "SAN=ip:127.0.0.1,dns:localhost");
    try (TestUpstream up = TestUpstream.start("baseline");
         CaptureProxy tls = CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(up.uri())
             .tls(certs.pem(), certs.keyPem()).capture(CapturePolicy.NONE).build());
         CaptureProxy plain = CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(up.uri())
             .capture(CapturePolicy.NONE).build())) {
      assertThat(curl("-sk", "--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", tls.uri() + "/ping.json"))
          .isEqualTo("2 200");
      assertThat(curl("-s", "--cacert", certs.pem().toString(), "--http2", "-d", "x=1", "-w", " %{http_version}",
          tls.uri() + "/form")).contains("\"body\":\"x=1\"").endsWith(" 2");
      assertThat(curl("-sk", "--http1.1", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", tls.uri() + "/h1"))
          .isEqualTo("1.1 200");
      assertThat(curl("-s", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
          plain.uri() + "/h2c")).isEqualTo("2 200");
      assertThat(curl("-s", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", plain.uri() + "/h1"))
          .isEqualTo("1.1 200");
    }
  }

  private static void install(TestCerts c, Path cert, Path key) throws IOException {
    Files.copy(c.pem(), cert, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(c.keyPem(), key, StandardCopyOption.REPLACE_EXISTING);
    // Make the change visible even within the file system's time resolution.
    long t = System.currentTimeMillis() + (c.keystore().getFileName().toString().startsWith("second") ? 10_000 : 0);
    Files.setLastModifiedTime(cert, java.nio.file.attribute.FileTime.fromMillis(t));
    Files.setLastModifiedTime(key, java.nio.file.attribute.FileTime.fromMillis(t));
  }

  /** A TLS connection speaking HTTP/1.1 that accepts whichever certificate is served (the test looks at it). */
  private static SSLSocket connect(int port) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }

  private static String subject(SSLSocket s) throws Exception {
    return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
  }

  private static RawHttp.Reply get(SSLSocket s, String path) throws IOException {
    s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return RawHttp.read(s.getInputStream(), false);
  }

  private static boolean curlHasHttp2() {
    try {
      Process p = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && out.contains("HTTP2");
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static String curl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "--max-time", "10"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return out.trim();
  }
}
