package dev.tapline.testgen;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Redactor;
import dev.tapline.examples.DemoTraffic;
import dev.tapline.examples.OrdersService;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import dev.tapline.proxy.CapturePolicy;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ProxyConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Records a service the way Tapline does in production: traffic (e.g. {@link DemoTraffic}) drives
 * the service through the real {@link CaptureProxy}, which publishes the (redacted) exchanges to a
 * real Kafka broker; the exchanges are read back from the topic.
 */
final class ProxyRecording {
  private ProxyRecording() {}

  static List<Exchange> record(OrdersService service, int requests, long seed) {
    return record("orders", service.baseUri(), proxy -> DemoTraffic.run(proxy, null, requests, seed, n -> {}).requests());
  }

  /**
   * Puts the real proxy in front of {@code upstream} (an origin, {@code http://host:port}), lets
   * {@code driver} send traffic through it (it gets the proxy's origin and returns how many requests
   * it sent), and reads every captured exchange back from the topic.
   */
  static List<Exchange> record(String service, URI upstream, ToIntFunction<URI> driver) {
    return record(service, upstream, Redactor.defaults(), driver).exchanges();
  }

  /**
   * What went through the topic: the exchanges, and each record's value as it was on the wire (to
   * search for what must never be there).
   */
  record Recorded(List<Exchange> exchanges, List<byte[]> values) {}

  /** As {@link #record(String, URI, ToIntFunction)}, the proxy redacting with {@code redactor} (a hash key). */
  static Recorded record(String service, URI upstream, Redactor redactor, ToIntFunction<URI> driver) {
    String topic = SharedKafka.uniqueTopic("testgen");
    ProxyConfig config = ProxyConfig.builder()
        .service(service)
        .proxyId("testgen-proxy")
        .baseline(URI.create(upstream.getScheme() + "://" + upstream.getRawAuthority()))
        .kafkaBootstrap(SharedKafka.bootstrap())
        .topic(topic)
        .capture(CapturePolicy.ALL)
        .redactor(redactor)
        .build();
    int sent;
    try (CaptureProxy proxy = CaptureProxy.start(config)) {
      sent = driver.applyAsInt(proxy.uri());
    }
    List<byte[]> values = read(topic, sent, Duration.ofSeconds(60));
    return new Recorded(values.stream().map(ExchangeCodec::decode).toList(), values);
  }

  private static List<byte[]> read(String topic, int count, Duration timeout) {
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<byte[]> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<PartitionInfo> partitions = List.of();
      while (partitions.isEmpty() && System.nanoTime() < deadline) {
        partitions = consumer.partitionsFor(topic, Duration.ofSeconds(2));
      }
      List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      while (out.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
    }
    if (out.size() != count) {
      throw new AssertionError("expected " + count + " exchanges on " + topic + ", read " + out.size());
    }
    return out;
  }
}
