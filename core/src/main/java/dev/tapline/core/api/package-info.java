/**
 * The recorder's HTTP API as its clients see it: {@link dev.tapline.core.api.RecorderClient} (search,
 * catalog, one exchange, export, live stream, with a token) and the records it returns, which the
 * recorder also serves ({@link dev.tapline.core.api.ExchangeSummary}, {@link
 * dev.tapline.core.api.Page}, {@link dev.tapline.core.api.EndpointStats}).
 */
@NullMarked
package dev.tapline.core.api;

import org.jspecify.annotations.NullMarked;
