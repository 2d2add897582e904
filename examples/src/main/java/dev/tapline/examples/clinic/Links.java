package dev.tapline.examples.clinic;

import org.jspecify.annotations.Nullable;

/**
 * Absolute URLs built from the request's {@code Host} header, the way frameworks behind a proxy
 * build {@code Location} and {@code _links}: the same resource carries a different href depending
 * on which address the client used.
 *
 * @param origin {@code http://HOST[:PORT]}
 */
record Links(String origin) {
  /** {@code http://HOST/clinic/api} + {@code path}. */
  String api(String path) {
    return origin + ClinicService.CONTEXT_PATH + path;
  }

  String problemType(String slug) {
    return origin + "/clinic/problems/" + slug;
  }

  /**
   * Links for a request whose {@code Host} header is {@code host}; a missing or odd header falls
   * back to the address the server listens on.
   */
  static Links forHost(@Nullable String host, String fallback) {
    boolean plausible = host != null && !host.isEmpty() && host.length() <= 255
        && host.chars().allMatch(c -> Character.isLetterOrDigit(c) || ".-:[]_".indexOf(c) >= 0);
    return new Links("http://" + (plausible ? host : fallback));
  }
}
