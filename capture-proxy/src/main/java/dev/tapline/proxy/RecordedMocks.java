package dev.tapline.proxy;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Exchange;
import dev.tapline.core.api.ExchangeSummary;
import dev.tapline.core.api.Page;
import dev.tapline.core.api.QueryTerms;
import dev.tapline.core.api.RecorderClient;
import dev.tapline.core.endpoint.Endpoints;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Reads the responses of mock rules that answer with a recorded exchange from the recorder, through
 * core's {@link RecorderClient}, on threads of its own (the client blocks; the event loops must not).
 * A response read by id is kept (an exchange never changes); {@code latest} is looked up for each
 * request. A failure is an answer too: a 502 saying what is missing, so a mock never hangs.
 */
final class RecordedMocks implements AutoCloseable {
  private static final int MAX_CACHED = 256;

  private final RecorderClient recorder;
  private final String service;
  private final Endpoints endpoints = Endpoints.defaults();
  private final ThreadPoolExecutor executor;
  private final ConcurrentHashMap<String, CannedResponse> byId = new ConcurrentHashMap<>();

  RecordedMocks(URI recorderUrl, @Nullable String token, String service) {
    try {
      this.recorder = RecorderClient.builder(recorderUrl.toString()).token(token)
          .connectTimeout(Duration.ofSeconds(5)).requestTimeout(Duration.ofSeconds(10)).build();
    } catch (IOException e) {
      throw new IllegalArgumentException("recorder URL " + recorderUrl + ": " + e.getMessage(), e);
    }
    this.service = requireNonNull(service, "service");
    AtomicInteger n = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1024), r -> {
      Thread t = new Thread(r, "tapline-proxy-mocks-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Calls {@code done} with the recorded response {@code which} names for a request of {@code method}
   * on {@code path}: at once when it is known, else later, from this class's threads.
   */
  void answer(RouteSpec.Recorded which, String method, String path, Consumer<CannedResponse> done) {
    if (!which.latest()) {
      CannedResponse known = byId.get(which.exchange());
      if (known != null) {
        done.accept(known);
        return;
      }
    }
    try {
      executor.execute(() -> done.accept(read(which, method, path)));
    } catch (RejectedExecutionException e) {
      done.accept(CannedResponse.error(503, "mock_unavailable", "too many mock answers are being read from the"
          + " recorder at once"));
    }
  }

  private CannedResponse read(RouteSpec.Recorded which, String method, String path) {
    try {
      Exchange e;
      if (which.latest()) {
        String template = endpoints.keyOfPath(service, path).path();
        String q = "service:" + term(service) + " AND method:" + term(method) + " AND template:" + term(template)
            + " AND origin:live AND (target:baseline OR target:sandbox*)";
        Page page = recorder.search(q, 1, null);
        if (page.items().isEmpty()) {
          return CannedResponse.error(502, "mock_unavailable", "the recorder at " + recorder.baseUrl() + " has no live"
              + " exchange of " + method + " " + template + " (service " + service + ") that a sandbox or the baseline"
              + " answered, to mock this request with");
        }
        ExchangeSummary s = page.items().get(0);
        Optional<Exchange> found = recorder.exchange(s.id());
        if (found.isEmpty()) {
          return CannedResponse.error(502, "mock_unavailable", "exchange " + s.id() + " left the recorder");
        }
        e = found.get();
      } else {
        Optional<Exchange> found = recorder.exchange(which.exchange());
        if (found.isEmpty()) {
          return CannedResponse.error(502, "mock_unavailable", "the recorder at " + recorder.baseUrl()
              + " has no exchange " + which.exchange() + " to mock this request with");
        }
        e = found.get();
      }
      if (e.response() == null) {
        return CannedResponse.error(502, "mock_unavailable", "exchange " + e.id() + " has no response to mock with"
            + (e.error() == null ? "" : " (it ended with " + e.error().kind() + ")"));
      }
      CannedResponse c = CannedResponse.of(e);
      if (!which.latest()) {
        if (byId.size() >= MAX_CACHED) {
          byId.clear();
        }
        byId.put(which.exchange(), c);
      }
      return c;
    } catch (IOException | RuntimeException e) {
      return CannedResponse.error(502, "mock_unavailable", "cannot read the recorded exchange to mock with: "
          + e.getMessage());
    }
  }

  private static String term(String value) {
    return QueryTerms.quoted(value);
  }

  @Override
  public void close() {
    executor.shutdownNow();
    recorder.close();
  }
}
