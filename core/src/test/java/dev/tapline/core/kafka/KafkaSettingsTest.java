package dev.tapline.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSettingsTest {
  @TempDir Path dir;

  @Test
  void plainSettingsAddOnlyTheServersToAClientsDefaults() {
    KafkaSettings k = KafkaSettings.of("a:9092,b:9092");

    assertThat(k.clientProperties(Map.of("acks", "all")))
        .containsExactlyInAnyOrderEntriesOf(Map.of("acks", "all", "bootstrap.servers", "a:9092,b:9092"));
    assertThat(k.securityProtocol()).isEqualTo("PLAINTEXT");
    assertThat(k.describe()).isEqualTo("a:9092,b:9092");
  }

  @Test
  void saslWithAPemTruststoreIsSaslSslWithScramAndThePemType() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");

    KafkaSettings k = KafkaSettings.builder()
        .bootstrapServers("kafka:9093")
        .sasl("scram-sha-512", "tap\"line", "pa\\ss")
        .truststore(ca, null)
        .build();

    assertThat(k.properties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"tap\\\"line\" password=\"pa\\\\ss\";")
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry("ssl.truststore.location", ca.toAbsolutePath().toString());
    assertThat(k.toString()).isEqualTo("kafka:9093 (SASL_SSL, SCRAM-SHA-512)").doesNotContain("pa");
  }

  @Test
  void aTruststoreAloneMeansSslAndAStoreKeepsItsPassword() throws Exception {
    Path store = Files.write(dir.resolve("trust.p12"), new byte[] {0x30, (byte) 0x82, 1, 2});

    KafkaSettings k = KafkaSettings.builder().bootstrapServers("kafka:9093").truststore(store, "changeit").build();

    assertThat(k.properties()).containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.truststore.type", "PKCS12")
        .containsEntry("ssl.truststore.password", "changeit");
  }

  @Test
  void aPropertiesFileIsReadAsKafkasToolsReadItAndTheFlagsWinOverIt() throws Exception {
    Path file = dir.resolve("client.properties");
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", "from-file:9092");
    p.setProperty("security.protocol", "SASL_PLAINTEXT");
    p.setProperty("sasl.mechanism", "PLAIN");
    p.setProperty("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"b\";");
    p.setProperty("linger.ms", "50");
    try (var w = Files.newBufferedWriter(file)) {
      p.store(w, null);
    }

    KafkaSettings fromFile = KafkaSettings.builder().load(file).build();
    assertThat(fromFile.bootstrapServers()).isEqualTo("from-file:9092");
    assertThat(fromFile.clientProperties(Map.of("linger.ms", 20))).containsEntry("linger.ms", "50")
        .containsEntry("security.protocol", "SASL_PLAINTEXT")
        .doesNotContainKey("bootstrap.servers_");

    KafkaSettings flagsWin = KafkaSettings.builder().load(file).bootstrapServers("flag:9092")
        .securityProtocol("SASL_SSL").sasl("SCRAM-SHA-256", "u", "p").build();
    assertThat(flagsWin.bootstrapServers()).isEqualTo("flag:9092");
    assertThat(flagsWin.properties()).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-256");
    assertThat(flagsWin.properties().get("sasl.jaas.config")).contains("ScramLoginModule").contains("username=\"u\"");
  }

  @Test
  void refusesWhatWouldBreakAClientOrSendAPasswordWithoutBeingAsked() {
    assertThatThrownBy(() -> KafkaSettings.builder().bootstrapServers("k:1").property("enable.auto.commit", "true").build())
        .hasMessage("enable.auto.commit cannot be set in Kafka client properties: Tapline sets it for each client");
    assertThatThrownBy(() -> KafkaSettings.builder().build())
        .hasMessageContaining("bootstrap servers must be set");
    assertThatThrownBy(() -> KafkaSettings.builder().bootstrapServers("k:1").securityProtocol("SSL").sasl("SCRAM-SHA-256", "u", "p").build())
        .hasMessage("SASL needs security protocol SASL_SSL or SASL_PLAINTEXT, not SSL");
    assertThatThrownBy(() -> KafkaSettings.builder().bootstrapServers("k:1").sasl("GSSAPI", "u", "p").build())
        .hasMessage("SASL mechanism must be SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN: GSSAPI");
    assertThatThrownBy(() -> KafkaSettings.builder().bootstrapServers("k:1").sasl("SCRAM-SHA-256", "u", "").build())
        .hasMessage("SASL SCRAM-SHA-256 needs a password for user u");
    assertThatThrownBy(() -> KafkaSettings.builder().bootstrapServers("k:1").securityProtocol("SASL_SSL").build())
        .hasMessageContaining("needs SASL credentials");
    assertThatThrownBy(() -> KafkaSettings.builder().bootstrapServers("k:1").securityProtocol("TLS").build())
        .hasMessage("security protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL: TLS");
    assertThatThrownBy(() -> KafkaSettings.builder().bootstrapServers("k:1").truststore(dir.resolve("none.pem"), null).build())
        .hasMessageContaining("truststore cannot be read");
  }
}
