package dev.tapline.core.testing;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Puts exchanges on a topic the way the proxy does (key {@code service|routingKey}, Exchange JSON), for recorder tests. */
public final class TestTopics {
  private TestTopics() {}

  /** Creates {@code topic} (one partition) and publishes {@code exchanges} to it, in order. */
  public static void publish(String bootstrap, String topic, List<Exchange> exchanges) throws Exception {
    try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.<String, Object>of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
      for (Exchange e : exchanges) {
        p.send(new ProducerRecord<>(topic, e.partitionKey().getBytes(StandardCharsets.UTF_8), ExchangeCodec.encode(e)));
      }
      p.flush();
    }
  }
}
