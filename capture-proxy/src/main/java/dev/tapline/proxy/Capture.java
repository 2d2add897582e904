package dev.tapline.proxy;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeError;
import dev.tapline.core.Header;
import dev.tapline.core.Headers;
import dev.tapline.core.Ids;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the event loop collects about one exchange: cheap snapshots and the bounded body tees. The
 * costly part (inflating, redacting, encoding) happens later in {@link #toExchange} on the
 * publisher thread. Filled by one event loop, then handed over through the publisher's queue,
 * which is what makes these plain fields safe to read there.
 */
final class Capture {
  final long startedAtMicros;
  final long startNanos;
  final @Nullable String routingKey;
  /** The answering target's label: set again when the exchange ends (an override may fall back). */
  String target;
  final String method;
  final String uri;
  final String authority;
  /** {@code http} or {@code https}: how the client reached the proxy. */
  final String scheme;
  /** {@code HTTP/1.0}, {@code HTTP/1.1} or {@code HTTP/2}: what the client spoke. */
  final String protocol;
  final List<Header> requestHeaders;
  final CaptureBuffer requestBody;
  private final int maxBody;
  int status;
  @Nullable List<Header> responseHeaders;
  @Nullable CaptureBuffer responseBody;
  @Nullable List<Header> responseTrailers;
  @Nullable ExchangeError error;
  long durationNanos;

  Capture(long startNanos, @Nullable String routingKey, String target, String method, String uri,
      String authority, String scheme, String protocol, HttpHeaders headers, int maxBody) {
    this.scheme = scheme;
    this.protocol = protocol;
    this.startedAtMicros = Ids.nowMicros();
    this.startNanos = startNanos;
    this.routingKey = routingKey;
    this.target = target;
    this.method = method;
    this.uri = uri;
    this.authority = authority;
    this.requestHeaders = snapshot(headers);
    this.requestBody = new CaptureBuffer(maxBody, declaredLength(headers));
    this.maxBody = maxBody;
  }

  void response(int status, HttpHeaders headers) {
    this.status = status;
    this.responseHeaders = snapshot(headers);
    boolean noBody = method.equals("HEAD") || status == 204 || status == 304;
    this.responseBody = new CaptureBuffer(maxBody, noBody ? -1 : declaredLength(headers));
  }

  void trailers(HttpHeaders trailers) {
    this.responseTrailers = snapshot(trailers);
  }

  void end(long durationNanos, @Nullable ExchangeError error) {
    this.durationNanos = durationNanos;
    this.error = error;
  }

  private static int declaredLength(HttpHeaders headers) {
    return headers.getInt(HttpHeaderNames.CONTENT_LENGTH, -1);
  }

  static List<Header> snapshot(HttpHeaders headers) {
    List<Header> out = new ArrayList<>(headers.size());
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> e = it.next();
      out.add(new Header(e.getKey().toString(), e.getValue().toString()));
    }
    return out;
  }

  Exchange toExchange(String service, String proxyId) {
    Headers reqHeaders = new Headers(requestHeaders);
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    String query = q < 0 ? null : uri.substring(q + 1);
    Body reqBody = BodyDecoder.body(reqHeaders.first("content-type"), reqHeaders.first("content-encoding"), requestBody);
    Request request = new Request(method, scheme, authority, path.isEmpty() ? "/" : path, query, reqHeaders, reqBody);
    Response response = null;
    if (responseHeaders != null && responseBody != null && status >= 100) {
      Headers h = new Headers(responseHeaders);
      List<Header> t = responseTrailers;
      response = new Response(status, h, BodyDecoder.body(h.first("content-type"), h.first("content-encoding"), responseBody),
          t == null ? Headers.empty() : new Headers(t));
    }
    ExchangeError err = error;
    if (response == null && err == null) {
      err = new ExchangeError(ExchangeError.Kind.OTHER, "no response");
    }
    return new Exchange(Ids.newId(), startedAtMicros, durationNanos / 1000, service, proxyId, routingKey, target,
        reqHeaders.first("traceparent"), reqHeaders.first("baggage"), request, response, err, List.of(), protocol);
  }
}
