/** Kafka plumbing shared by the stages: topic names, an exchange sink, and the embedded broker. */
@NullMarked
package dev.tapline.core.kafka;

import org.jspecify.annotations.NullMarked;
