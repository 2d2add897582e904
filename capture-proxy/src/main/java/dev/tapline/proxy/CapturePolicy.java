package dev.tapline.proxy;

/** Which requests the proxy captures (before sampling and path globs are applied). */
public enum CapturePolicy {
  /** Only requests that carry a routing key (known or not): sandbox traffic. The default. */
  SANDBOXED,
  /** Every request, baseline traffic too. */
  ALL,
  /** Nothing: a plain routing reverse proxy. */
  NONE
}
