/**
 * The recorder: Kafka topic of exchanges → Lucene index → HTTP API (search, endpoint catalog,
 * export, live stream). Start one with {@link dev.tapline.recorder.Recorder#start}; search in
 * process through {@link dev.tapline.recorder.ExchangeIndex}. Everything not public is internal.
 */
@NullMarked
package dev.tapline.recorder;

import org.jspecify.annotations.NullMarked;
