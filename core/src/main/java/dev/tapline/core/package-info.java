/**
 * The record every Tapline stage shares ({@link dev.tapline.core.Exchange}), its wire codec, and the
 * rules applied to traffic before it leaves the proxy: routing-key extraction, redaction and path
 * templating.
 */
@NullMarked
package dev.tapline.core;

import org.jspecify.annotations.NullMarked;
