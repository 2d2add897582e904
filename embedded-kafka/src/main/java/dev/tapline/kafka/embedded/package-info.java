/**
 * A single-node Kafka broker inside the JVM ({@link dev.tapline.kafka.embedded.EmbeddedKafka}), for
 * {@code tapline up}, the benchmarks and tests. It is a module of its own because it brings the whole
 * Kafka server (KRaft, storage, metadata, Scala); the stages need only {@code kafka-clients}.
 */
@NullMarked
package dev.tapline.kafka.embedded;

import org.jspecify.annotations.NullMarked;
