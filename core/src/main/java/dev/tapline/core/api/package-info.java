/**
 * The HTTP APIs as their clients see them: the recorder's, {@link dev.tapline.core.api.RecorderClient} (search,
 * catalog, one exchange, export, live stream, with a token) and the records it returns, which the
 * recorder also serves ({@link dev.tapline.core.api.ExchangeSummary}, {@link
 * dev.tapline.core.api.Page}, {@link dev.tapline.core.api.EndpointStats}); and the capture proxy's
 * admin API, {@link dev.tapline.core.api.ProxyAdminClient} (its routes).
 */
@NullMarked
package dev.tapline.core.api;

import org.jspecify.annotations.NullMarked;
