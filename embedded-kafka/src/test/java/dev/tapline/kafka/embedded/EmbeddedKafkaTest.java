package dev.tapline.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

  @Test
  void carriesRecordsFromProducerToConsumer() throws Exception {
    String topic = SharedKafka.uniqueTopic("embedded");
    try (var producer = new KafkaProducer<String, String>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap()), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "k", "hello")).get();
    }
    try (var consumer = new KafkaConsumer<String, String>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, "t",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      List<String> seen = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (seen.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          seen.add(r.value());
        }
      }
      assertThat(seen).containsExactly("hello");
    }
  }

  @Test
  void restartsOnItsOwnDataDirKeepingRecords(@TempDir Path dir) throws Exception {
    String topic = "restart";
    try (EmbeddedKafka k = EmbeddedKafka.start(dir, 0);
        var producer = new KafkaProducer<String, String>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "k", "kept")).get();
    }
    try (EmbeddedKafka k = EmbeddedKafka.start(dir, 0);
        var consumer = new KafkaConsumer<String, String>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, "t",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      List<String> seen = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (seen.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
      }
      assertThat(seen).containsExactly("kept");
    }
  }

  @Test
  void aSaslSslListenerTakesTheScramUserOverTlsAndRefusesAWrongPassword(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka k = EmbeddedKafka.builder(dir).tls().scram("tapline", "s3cret-\"quoted\"").start()) {
      assertThat(k.securedClientProperties()).containsEntry("security.protocol", "SASL_SSL")
          .containsEntry("ssl.truststore.type", "PEM");
      assertThat(java.nio.file.Files.readString(k.caCertificate())).startsWith("-----BEGIN CERTIFICATE-----");
      Map<String, Object> client = new java.util.HashMap<>(k.securedClientProperties());
      client.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, k.securedBootstrapServers());
      try (var producer = new KafkaProducer<String, String>(client, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("secured", "k", "over tls")).get(30, java.util.concurrent.TimeUnit.SECONDS);
      }

      Map<String, Object> wrong = new java.util.HashMap<>(client);
      wrong.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"tapline\" password=\"nope\";");
      wrong.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
      try (var producer = new KafkaProducer<String, String>(wrong, new StringSerializer(), new StringSerializer())) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> producer.send(new ProducerRecord<>("secured", "k", "no")).get())
            .hasRootCauseInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
      }
    }
  }

  @Test
  void aTlsListenerAloneIsSslWithAGeneratedCertificateForLoopback(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka k = EmbeddedKafka.builder(dir).tls().start()) {
      assertThat(k.securedClientProperties()).containsEntry("security.protocol", "SSL").doesNotContainKey("sasl.mechanism");
      Map<String, Object> client = new java.util.HashMap<>(k.securedClientProperties());
      client.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, k.securedBootstrapServers());
      try (var producer = new KafkaProducer<String, String>(client, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("tls", "k", "v")).get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }
}
