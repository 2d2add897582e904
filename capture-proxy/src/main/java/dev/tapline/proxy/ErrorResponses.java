package dev.tapline.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The proxy's own responses: JSON {@code {"error": ..., "detail": ...}}, as every Tapline server answers. */
final class ErrorResponses {
  static final ObjectMapper JSON = new ObjectMapper();

  private ErrorResponses() {}

  /** A request the codec could not decode: 414 (request line too long), 431 (headers), else 400; closes. */
  static FullHttpResponse rejected(Throwable decodeFailure) {
    int status;
    String error;
    if (decodeFailure instanceof TooLongHttpLineException) {
      status = 414;
      error = "uri_too_long";
    } else if (decodeFailure instanceof TooLongHttpHeaderException) {
      status = 431;
      error = "headers_too_large";
    } else {
      status = 400;
      error = "bad_request";
    }
    return error(status, error, String.valueOf(decodeFailure.getMessage()), false);
  }

  /** 502 or 504 naming the upstream and the cause. */
  static FullHttpResponse upstreamFailure(UpstreamFailure f, boolean keepAlive) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", "upstream_unavailable");
    body.put("detail", f.detail());
    body.put("upstream", f.upstream().toString());
    body.put("cause", f.cause());
    return json(f.status(), body, keepAlive);
  }

  static FullHttpResponse error(int status, String error, String detail, boolean keepAlive) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("detail", detail);
    return json(status, body, keepAlive);
  }

  private static FullHttpResponse json(int status, Map<String, ?> body, boolean keepAlive) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      bytes = ("{\"error\":\"internal\",\"detail\":\"" + e.getClass().getSimpleName() + "\"}").getBytes();
    }
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
        Unpooled.wrappedBuffer(bytes));
    r.headers().set("Content-Type", HttpHeaderValues.APPLICATION_JSON);
    r.headers().setInt("Content-Length", bytes.length);
    r.headers().set("Via", HopByHop.VIA);
    if (!keepAlive) {
      r.headers().set("Connection", HttpHeaderValues.CLOSE);
    }
    return r;
  }
}
