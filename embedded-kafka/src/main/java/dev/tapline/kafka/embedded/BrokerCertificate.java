package dev.tapline.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for the embedded broker's TLS listener, valid for {@code 127.0.0.1}
 * and {@code localhost}, made once per data dir with the JDK's {@code keytool} (the JDK has no API
 * for making certificates, and Tapline carries no library for it). The PKCS12 key store is the
 * broker's; the PEM copy of the certificate is what a client trusts.
 */
record BrokerCertificate(Path keystore, String password, Path caPem) {
  private static final String ALIAS = "tapline-embedded-broker";
  private static final String PASSWORD_ENV = "TAPLINE_EMBEDDED_KEYSTORE_PASSWORD";

  /** The certificate in {@code dir}, made there first if it is not there yet. */
  static BrokerCertificate inside(Path dir) {
    Path keystore = dir.resolve("broker.p12");
    Path passwordFile = dir.resolve("broker.password");
    Path pem = dir.resolve("ca.pem");
    try {
      if (Files.exists(keystore) && Files.exists(passwordFile) && Files.exists(pem)) {
        return new BrokerCertificate(keystore, Files.readString(passwordFile).strip(), pem);
      }
      Files.createDirectories(dir);
      Files.deleteIfExists(keystore);
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      String password = HexFormat.of().formatHex(random);
      keytool(password, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
          "-dname", "CN=localhost, O=Tapline embedded Kafka", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
          "-validity", "3650", "-keystore", keystore.toString(), "-storetype", "PKCS12",
          "-storepass:env", PASSWORD_ENV, "-keypass:env", PASSWORD_ENV);
      keytool(password, "-exportcert", "-rfc", "-alias", ALIAS, "-keystore", keystore.toString(), "-storetype", "PKCS12",
          "-storepass:env", PASSWORD_ENV, "-file", pem.toString());
      Files.writeString(passwordFile, password, StandardCharsets.UTF_8);
      return new BrokerCertificate(keystore, password, pem);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a TLS certificate for the embedded broker in " + dir, e);
    }
  }

  /** The password goes to keytool through its environment, not its command line. */
  private static void keytool(String password, String... args) throws IOException {
    Path tool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    if (!Files.isExecutable(tool)) {
      throw new IOException("keytool not found at " + tool + ": the embedded broker's TLS listener needs a full JDK");
    }
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(tool.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put(PASSWORD_ENV, password);
    Process p = pb.start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("keytool " + args[0] + " failed: " + new String(out, StandardCharsets.UTF_8).strip());
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running keytool", e);
    }
  }
}
