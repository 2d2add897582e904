package dev.tapline.recorder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tapline.core.Origin;
import dev.tapline.core.api.EndpointStats;
import dev.tapline.core.api.ExchangeSummary;
import dev.tapline.core.api.Page;
import dev.tapline.core.http.ErrorCode;
import dev.tapline.core.http.HttpEdge.Handler;
import dev.tapline.core.http.HttpEdge;
import dev.tapline.core.http.HttpResponses;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.lucene.search.Query;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The recorder's HTTP handlers (see docs/API.md). */
final class HttpApi {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  static final int DEFAULT_LIMIT = 50;
  /**
   * With {@code follow=false} a stream response ends once it has sent everything indexed so far, and
   * at the latest at the first pause after this long: no request is held open waiting for traffic
   * (see docs/API.md).
   */
  static final long MAX_OPEN_MILLIS = 250;
  /** A following stream with nothing to send writes a comment this often, so idle connections stay up. */
  static final long HEARTBEAT_MILLIS = 15_000;
  /** How long a writer waits for the dispatcher between looks at its queue. */
  private static final long WAIT_MILLIS = 20;
  /** The same while following: only how soon a dropped client or a due heartbeat is noticed. */
  private static final long FOLLOW_WAIT_MILLIS = 250;
  /** The {@code retry:} hint: how soon a client asks again after a response ends. */
  static final long RECONNECT_MILLIS = 500;

  /** The {@code Retry-After} of a {@code 429}: permits are held for a query's time, seconds at most. */
  static final int RETRY_AFTER_SECONDS = 1;

  private final ExchangeIndex index;
  private final LiveStream stream;
  private final RecorderMetrics metrics;
  private final Capacity capacity;
  private final Supplier<Health> health;

  /**
   * What {@code /healthz} says: {@code failing} (503) when ingestion stopped, else {@code degraded}
   * (200: searches still answer, from an index that may be behind) with the reasons, else {@code ok}.
   */
  record Health(@Nullable String failing, List<String> degraded, long lag) {}

  HttpApi(ExchangeIndex index, LiveStream stream, RecorderMetrics metrics, Capacity capacity,
      Supplier<Health> health) {
    this.index = index;
    this.stream = stream;
    this.metrics = metrics;
    this.capacity = capacity;
    this.health = health;
  }

  Map<String, HttpHandler> handlers() {
    Map<String, HttpHandler> h = new LinkedHashMap<>();
    h.put("/api/exchanges", guarded(this::exchanges));
    h.put("/api/endpoints", guarded(exact("/api/endpoints", this::endpoints)));
    h.put("/api/export", guarded(exact("/api/export", this::export)));
    h.put("/api/stream", guarded(exact("/api/stream", this::stream)));
    h.put("/api/", guarded(HttpApi::notFound));
    h.put("/healthz", guarded(exact("/healthz", this::health)));
    h.put("/metrics", guarded(exact("/metrics", this::metrics)));
    return h;
  }

  static HttpHandler notFoundHandler() {
    return guarded(HttpApi::notFound);
  }

  private static HttpHandler guarded(Handler h) {
    return HttpEdge.guarded(h);
  }

  /** The JDK server matches context paths by prefix: anything under them that is not the path is 404. */
  private static Handler exact(String path, Handler h) {
    return ex -> {
      String p = ex.getRequestURI().getPath();
      if (!p.equals(path) && !p.equals(path + "/")) {
        notFound(ex);
        return;
      }
      if (HttpResponses.requireGet(ex)) {
        h.handle(ex);
      }
    };
  }

  private static void notFound(HttpExchange ex) throws IOException {
    HttpResponses.notFound(ex);
  }

  private void exchanges(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String rest = path.length() <= "/api/exchanges".length() ? "" : path.substring("/api/exchanges".length());
    if (!rest.isEmpty() && !rest.equals("/")) {
      String id = rest.substring(1);
      if (id.contains("/") || !path.startsWith("/api/exchanges/")) {
        notFound(ex);
        return;
      }
      if (HttpResponses.requireGet(ex)) {
        one(ex, id);
      }
      return;
    }
    if (!HttpResponses.requireGet(ex)) {
      return;
    }
    Map<String, String> params = HttpResponses.params(ex);
    int limit = DEFAULT_LIMIT;
    String l = HttpResponses.param(params, "limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > ExchangeIndex.MAX_LIMIT) {
        HttpResponses.error(ex, 400, ErrorCode.BAD_LIMIT, "limit must be a whole number 1.." + ExchangeIndex.MAX_LIMIT + ", got \"" + l + "\"");
        return;
      }
    }
    Page page;
    try (Capacity.Permit permit = permit(ex, Capacity.Kind.SEARCH)) {
      if (permit == null) {
        return;
      }
      page = index.search(HttpResponses.param(params, "q"), limit, HttpResponses.param(params, "cursor"));
    } catch (BadQueryException e) {
      badQuery(ex, e);
      return;
    } catch (QueryTimeoutException e) {
      timedOut(ex, e);
      return;
    } catch (IllegalArgumentException e) {
      HttpResponses.error(ex, 400, ErrorCode.BAD_CURSOR, e.getMessage());
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("items", page.items());
    body.put("nextCursor", page.nextCursor());
    HttpResponses.json(ex, 200, body);
  }

  private void one(HttpExchange ex, String id) throws IOException {
    Optional<byte[]> source = index.source(id);
    if (source.isEmpty()) {
      HttpResponses.error(ex, 404, ErrorCode.NOT_FOUND, "no exchange with id " + id + " in the index");
      return;
    }
    HttpResponses.raw(ex, 200, "application/json", source.get());
  }

  private static void badQuery(HttpExchange ex, BadQueryException e) throws IOException {
    HttpResponses.error(ex, 400, ErrorCode.BAD_QUERY,
        e.getMessage() + " at position " + e.position() + " in query: " + e.query(),
        "position", e.position(), "query", e.query());
  }

  /**
   * A permit for one more request of {@code kind}; null (after answering {@code 429} with {@code
   * Retry-After}) when as many as the recorder serves at once are being answered.
   */
  private Capacity.@Nullable Permit permit(HttpExchange ex, Capacity.Kind kind) throws IOException {
    Capacity.Permit permit = capacity.tryAcquire(kind);
    if (permit == null) {
      ex.getResponseHeaders().set("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
      HttpResponses.error(ex, 429, ErrorCode.TOO_MANY_REQUESTS, "this recorder is answering as many " + kind.plural
          + " as it answers at once (" + capacity.max(kind) + ", set with " + kind.flag + "): try again in "
          + RETRY_AFTER_SECONDS + " s");
    }
    return permit;
  }

  private void timedOut(HttpExchange ex, QueryTimeoutException e) throws IOException {
    metrics.queryTimeouts.increment();
    HttpResponses.error(ex, 503, ErrorCode.QUERY_TIMEOUT, e.getMessage() + ": narrow the query (a service:, a"
        + " time:[now-1h TO now], fewer wildcards and phrases) and try again",
        "timeoutMillis", e.timeout().toMillis());
  }

  private void endpoints(HttpExchange ex) throws IOException {
    Map<String, String> params = HttpResponses.params(ex);
    String routingKey = params.get("routingKey");
    Set<Origin> origins;
    try {
      String o = HttpResponses.param(params, "origin");
      origins = o == null ? Origin.DEFAULT : Origin.parseList(o);
    } catch (IllegalArgumentException e) {
      HttpResponses.error(ex, 400, ErrorCode.BAD_REQUEST, "origin: " + e.getMessage());
      return;
    }
    List<EndpointStats> list;
    try (Capacity.Permit permit = permit(ex, Capacity.Kind.SEARCH)) {
      if (permit == null) {
        return;
      }
      list = index.endpoints(HttpResponses.param(params, "service"), routingKey, origins);
    } catch (QueryTimeoutException e) {
      timedOut(ex, e);
      return;
    }
    HttpResponses.json(ex, 200, Map.of("endpoints", list));
  }

  /**
   * NDJSON of every match. The status goes out with the first bytes: a bad query, or a first page
   * that runs past the query timeout, is still a JSON error. A later page that does is too late for
   * that; the connection is then cut off, so the client sees a broken answer and not a short one.
   */
  private void export(HttpExchange ex) throws IOException {
    String q = HttpResponses.param(HttpResponses.params(ex), "q");
    try {
      QueryLanguage.parse(q);
    } catch (BadQueryException e) {
      badQuery(ex, e);
      return;
    }
    try (Capacity.Permit permit = permit(ex, Capacity.Kind.EXPORT)) {
      if (permit == null) {
        return;
      }
      ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      StartOnWrite body = new StartOnWrite(ex);
      // Not try-with-resources: closing would send what is buffered even when the export failed.
      OutputStream out = new BufferedOutputStream(body, 64 * 1024);
      try {
        index.export(q, out);
        out.close();
      } catch (QueryTimeoutException e) {
        if (!body.started()) {
          timedOut(ex, e);
          return;
        }
        metrics.queryTimeouts.increment();
        LOG.info("export cut off after a page ran past the query timeout: {}", q);
        body.abort();
      } catch (BadQueryException e) {
        throw new IllegalStateException("query parsed once and not twice: " + q, e);
      }
    }
  }

  /** A response body whose 200 and headers go out with its first byte (or when it is closed). */
  private static final class StartOnWrite extends OutputStream {
    private final HttpExchange ex;
    private @Nullable OutputStream out;

    StartOnWrite(HttpExchange ex) {
      this.ex = ex;
    }

    boolean started() {
      return out != null;
    }

    private OutputStream out() throws IOException {
      if (out == null) {
        ex.sendResponseHeaders(200, 0);
        out = ex.getResponseBody();
      }
      return out;
    }

    @Override
    public void write(int b) throws IOException {
      out().write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out().write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      if (out != null) {
        out.flush();
      }
    }

    @Override
    public void close() throws IOException {
      out().close();
    }

    /**
     * Closes the connection without the chunked body's last chunk. The JDK server ends a body
     * cleanly on close; a write from an interrupted thread instead closes the socket under it.
     */
    void abort() {
      Thread.currentThread().interrupt();
      try {
        out().write('\n');
        out().flush();
      } catch (IOException expected) {
        // the channel is closed: what was wanted
      } finally {
        Thread.interrupted();
      }
    }
  }

  /**
   * The live tail from the client's position ({@code Last-Event-ID}). By default the response
   * follows the tail: it stays open, sends each match as it is indexed and a heartbeat comment when
   * idle. With {@code follow=false} it sends what matched and was indexed by now, then an {@code end}
   * event with the position to ask from next, and never waits for traffic that has not happened: a
   * request held open while nothing happens stalls whatever waits for the page's network to go quiet
   * (proxies that buffer, headless renderers with a virtual time budget, which then fail to take
   * their screenshot).
   */
  private void stream(HttpExchange ex) throws IOException {
    Map<String, String> params = HttpResponses.params(ex);
    String q = HttpResponses.param(params, "q");
    Query query;
    try {
      query = QueryLanguage.parse(q);
    } catch (BadQueryException e) {
      badQuery(ex, e);
      return;
    }
    String followParam = HttpResponses.param(params, "follow");
    if (followParam != null && !followParam.equals("true") && !followParam.equals("false")) {
      HttpResponses.error(ex, 400, ErrorCode.BAD_REQUEST, "follow must be true or false, not '" + followParam + "'");
      return;
    }
    boolean follow = !"false".equals(followParam);
    try (Capacity.Permit permit = permit(ex, Capacity.Kind.STREAM)) {
      if (permit != null) {
        tail(ex, query, follow);
      }
    }
  }

  private void tail(HttpExchange ex, Query query, boolean follow) throws IOException {
    LiveStream.Subscriber sub;
    try {
      sub = stream.subscribe(query, ex.getRequestHeaders().getFirst("Last-Event-ID"));
    } catch (QueryTimeoutException e) {
      timedOut(ex, e);
      return;
    }
    try {
      ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      ex.getResponseHeaders().set("X-Accel-Buffering", "no");
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      out.write(("retry: " + RECONNECT_MILLIS + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_OPEN_MILLIS);
      long lastWrite = System.nanoTime();
      while (!sub.dropped) {
        // Read before polling: every match up to the mark was queued before the poll began, and
        // when caughtUp was already true, so was everything visible at that point.
        boolean caughtUp = sub.caughtUp;
        long mark = sub.lastSeq;
        ExchangeIndex.Indexed e = sub.queue.poll();
        if (e == null && (follow || (!caughtUp && System.nanoTime() < deadline))) {
          e = sub.queue.poll(follow ? FOLLOW_WAIT_MILLIS : WAIT_MILLIS, TimeUnit.MILLISECONDS);
          if (e == null) {
            if (follow && System.nanoTime() - lastWrite >= TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS)) {
              out.write(": heartbeat\n\n".getBytes(StandardCharsets.UTF_8));
              out.flush();
              lastWrite = System.nanoTime();
            }
            continue;
          }
        }
        if (e == null) {
          // Caught up (or out of time): end with the position, where the next request resumes.
          out.write(("event: end\nid: " + LiveStream.SEQ_PREFIX + mark + "\ndata: {}\n\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
          break;
        }
        do {
          writeEvent(out, e);
          e = sub.queue.poll();
        } while (e != null);
        out.flush();
        lastWrite = System.nanoTime();
        if (!sub.caughtUp) {
          stream.drained();
        }
      }
      String failure = sub.failure;
      if (failure != null) {
        // Its filter ran past the deadline: say so, and end (EventSource then asks again).
        metrics.queryTimeouts.increment();
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("error", ErrorCode.QUERY_TIMEOUT.code());
        error.put("detail", failure);
        out.write(("event: error\ndata: " + HttpResponses.JSON.writeValueAsString(error) + "\n\n")
            .getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (InterruptedException e) {
      // dropped as a slow client, or the server is stopping
    } finally {
      stream.unsubscribe(sub);
      Thread.interrupted();
    }
  }

  private static void writeEvent(OutputStream out, ExchangeIndex.Indexed e) throws IOException {
    ExchangeSummary summary = java.util.Objects.requireNonNull(e.summary(), "summary");
    StringBuilder sb = new StringBuilder(512);
    sb.append("id: ").append(summary.id()).append('\n');
    sb.append("event: exchange\n");
    sb.append("data: ").append(HttpResponses.JSON.writeValueAsString(summary)).append("\n\n");
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  private void health(HttpExchange ex) throws IOException {
    Health h = health.get();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", h.failing() != null ? "failing" : h.degraded().isEmpty() ? "ok" : "degraded");
    if (h.failing() != null) {
      body.put("detail", h.failing());
    }
    if (!h.degraded().isEmpty()) {
      body.put("reasons", h.degraded());
    }
    body.put("exchanges", index.size());
    body.put("lag", h.lag());
    HttpResponses.json(ex, h.failing() != null ? 503 : 200, body);
  }

  private void metrics(HttpExchange ex) throws IOException {
    HttpResponses.raw(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8));
  }
}
