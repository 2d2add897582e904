package dev.tapline.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/** Tells gRPC requests apart: they go to the upstream over HTTP/2 ({@link Http2Upstreams}). */
final class Grpc {
  private static final String TYPE = "application/grpc";

  private Grpc() {}

  /**
   * True for {@code Content-Type: application/grpc}, {@code application/grpc+proto} and the like;
   * not for gRPC-Web ({@code application/grpc-web...}), which HTTP/1.1 carries.
   */
  static boolean isGrpc(HttpHeaders h) {
    String ct = h.get(HttpHeaderNames.CONTENT_TYPE);
    if (ct == null || !ct.regionMatches(true, 0, TYPE, 0, TYPE.length())) {
      return false;
    }
    if (ct.length() == TYPE.length()) {
      return true;
    }
    char next = ct.charAt(TYPE.length());
    return next == '+' || next == ';';
  }
}
