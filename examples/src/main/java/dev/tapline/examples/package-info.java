/**
 * The demo: an orders JSON service in a baseline version ({@link
 * dev.tapline.examples.OrdersService.Version#V1}) and a sandbox version with a contract change
 * ({@link dev.tapline.examples.OrdersService.Version#V2}), and {@link dev.tapline.examples.DemoTraffic},
 * which drives a realistic mix of calls through the proxy.
 */
@NullMarked
package dev.tapline.examples;

import org.jspecify.annotations.NullMarked;
