/**
 * Kafka names and settings shared by the stages: the default topic names ({@link dev.tapline.core.kafka.Topics})
 * and how every client reaches the cluster ({@link dev.tapline.core.kafka.KafkaSettings}: bootstrap
 * servers, TLS, SASL and any other client property, in one place).
 * The stages talk to Kafka through {@code kafka-clients} directly; the embedded broker behind
 * {@code tapline up} is in the {@code tapline-embedded-kafka} module, so that core does not carry the
 * Kafka server.
 */
@NullMarked
package dev.tapline.core.kafka;

import org.jspecify.annotations.NullMarked;
