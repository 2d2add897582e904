package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Headers;
import dev.tapline.core.Ids;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import dev.tapline.proxy.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The redaction key: {@code up} makes one owner-only and reuses it; {@code proxy --redact-key-file} reads it. */
class RedactKeyFileTest {
  @TempDir Path dir;

  @Test
  void upMakesARandomOwnerOnlyKeyOnceAndReusesItAfterwards() throws Exception {
    Path key = dir.resolve("data/redact.key");
    assertThat(RedactKeyFile.createIfMissing(key)).isTrue();
    String first = Files.readString(key);
    assertThat(first).matches("[0-9a-f]{64}\\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    assertThat(RedactKeyFile.readableByOthers(key)).isFalse();
    assertThat(RedactKeyFile.createIfMissing(key)).isFalse();
    assertThat(Files.readString(key)).isEqualTo(first);
    assertThat(RedactKeyFile.read("--redact-key-file", key)).hasSize(64);
    Path other = dir.resolve("other.key");
    RedactKeyFile.createIfMissing(other);
    assertThat(Files.readString(other)).isNotEqualTo(first);
  }

  @Test
  void aShortOrMissingKeyIsAUsageErrorNamingTheFlag() throws Exception {
    Path shortKey = Files.writeString(dir.resolve("short.key"), "abc\n");
    assertThatThrownBy(() -> RedactKeyFile.read("--redact-key-file", shortKey)).isInstanceOf(UsageException.class)
        .hasMessageContaining("--redact-key-file " + shortKey + " holds 3 characters; a key needs at least 16");
    assertThatThrownBy(() -> RedactKeyFile.read("--redact-key-file", dir.resolve("nope"))).isInstanceOf(UsageException.class)
        .hasMessageStartingWith("--redact-key-file " + dir.resolve("nope") + " cannot be read");
  }

  @Test
  void theProxyRedactsWithKeyedHashesThatTheSameKeyReproduces() throws Exception {
    Path key = Files.writeString(dir.resolve("k"), "0123456789abcdef0123456789abcdef\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    ProxyConfig a = ProxyCommandTest.config("--redact-key-file", key.toString());
    ProxyConfig b = ProxyCommandTest.config("--redact-key-file", key.toString());
    Request req = new Request("GET", "http", "x", "/me", null, Headers.of("Authorization", "Bearer t0ken-abcdef"), Body.empty());
    Exchange e = new Exchange(Ids.newId(), Ids.nowMicros(), 1, "s", "p", null, Exchange.BASELINE, null, null, req,
        new Response(200, Headers.empty(), Body.empty()), null, List.of());
    String marker = a.redactor().redact(e).request().headers().first("authorization");
    assertThat(marker).matches("Bearer \\[REDACTED:[0-9a-f]{12}\\]").isEqualTo(b.redactor().redact(e).request().headers()
        .first("authorization"));
    assertThat(ProxyCommandTest.config().redactor().redact(e).request().headers().first("authorization"))
        .isEqualTo("[REDACTED]");
  }

  @Test
  void theKeyGoesWithTheOtherRedactionOptionsOfTheSameMixin() throws Exception {
    Path key = Files.writeString(dir.resolve("k"), "0123456789abcdef0123456789abcdef\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    ProxyConfig c = ProxyCommandTest.config("--redact-key-file", key.toString(), "--redact-header", "X-Tenant");
    Request req = new Request("GET", "http", "x", "/me", null,
        Headers.of("Authorization", "Bearer t0ken-abcdef", "X-Tenant", "acme-secret-tenant"), Body.empty());
    Exchange e = new Exchange(Ids.newId(), Ids.nowMicros(), 1, "s", "p", null, Exchange.BASELINE, null, null, req,
        new Response(200, Headers.empty(), Body.empty()), null, List.of());
    Headers redacted = c.redactor().redact(e).request().headers();
    assertThat(redacted.first("x-tenant")).matches("\\[REDACTED:[0-9a-f]{12}\\]");
    assertThat(redacted.first("authorization")).matches("Bearer \\[REDACTED:[0-9a-f]{12}\\]");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(RedactionOptions.keyWarning(key)).contains("readable by other users", "chmod 600 " + key);
    assertThat(RedactionOptions.keyWarning(null)).isNull();
  }
}
