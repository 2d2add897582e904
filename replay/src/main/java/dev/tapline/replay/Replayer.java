package dev.tapline.replay;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Exchange;
import dev.tapline.core.Origin;
import dev.tapline.core.endpoint.Resolution;
import dev.tapline.replay.DriftReport.Counts;
import dev.tapline.replay.DriftReport.EndpointReport;
import dev.tapline.replay.DriftReport.Verdict;
import dev.tapline.replay.Sender.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Replays recorded requests against a baseline and a sandbox and reports contract drift: the CI
 * job's engine behind {@code tapline replay}.
 *
 * <p>Each recorded request is sent twice to the baseline and once to the sandbox. What differs
 * between the two baseline responses (and between the baseline and the recorded response) is noise
 * — ids, timestamps, set-like arrays in another order — and is reported as ignored, never as
 * drift. What differs between baseline and sandbox beyond that is classified as breaking or
 * compatible (see {@link DiffKind} and {@code docs/DRIFT.md}) and aggregated per endpoint (method +
 * path template, and for GraphQL the operation: a batch's answer is split between its operations).
 *
 * <pre>{@code
 * Replayer replayer = Replayer.create(ReplayOptions.builder()
 *     .baselineAndSandbox(URI.create("http://baseline:8080"), URI.create("http://sandbox:8080"))
 *     .failOn(FailOn.BREAKING)
 *     .build());
 * try (ExchangeSource in = ExchangeSource.open("exchanges.ndjson", null, null, Duration.ofSeconds(10))) {
 *   DriftReport report = replayer.replay(in, ReplayListener.none());
 *   ReportWriter.writeAll(report, Path.of("target/tapline"));
 *   System.exit(report.exitCode());   // 0 pass, 1 drift, 3 a target failed
 * }
 * }</pre>
 *
 * <p>Only the methods in {@link ReplayOptions#methods()} (GET, HEAD, OPTIONS by default) are
 * replayed, and GraphQL queries whatever their method (they only read); GraphQL responses are
 * compared as such ({@code errors} by message and path, {@code extensions} ignored). One exchange that cannot be compared never stops the run; a target that fails most
 * requests makes the verdict {@link DriftReport.TargetFailure}. Unreadable input throws {@link
 * ReplayInputException}.
 */
public final class Replayer {
  /** A target that failed this many requests without a single answer is not tried any further. */
  static final int FAIL_FAST_AFTER = 16;

  private final ReplayOptions options;

  private Replayer(ReplayOptions options) {
    this.options = options;
  }

  public static Replayer create(ReplayOptions options) {
    return new Replayer(requireNonNull(options, "options"));
  }

  public ReplayOptions options() {
    return options;
  }

  public DriftReport replay(List<Exchange> exchanges) {
    try (ExchangeSource src = ExchangeSource.of(exchanges)) {
      return replay(src, ReplayListener.none());
    }
  }

  /**
   * Replays every exchange of {@code source} (which the caller closes) and returns the report.
   *
   * @throws ReplayInputException when the source is malformed, or holds nothing to replay
   */
  public DriftReport replay(ExchangeSource source, ReplayListener listener) {
    requireNonNull(source, "source");
    requireNonNull(listener, "listener");
    Instant startedAt = Instant.now();
    Run run = new Run(listener, System.nanoTime());
    Sender sender = new Sender(options.timeout(), options.headers(), options.rate());
    Sessions sessions = new Sessions(options.auth(), options.targets(), sender, options.timeout());
    try {
      sessions.check();
    } catch (ReplayInputException e) {
      sender.close();
      throw e;
    }
    Semaphore permits = new Semaphore(options.concurrency());
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    try {
      Exchange e;
      while (run.abort == null && (e = source.next()) != null) {
        run.read.incrementAndGet();
        String method = e.request().method().toUpperCase(Locale.ROOT);
        if (!options.origins().contains(Origin.of(e.request()))) {
          run.skip(Origin.of(e.request()).wireName() + " traffic not replayed (see --origin)");
          continue;
        }
        List<Resolution> endpoints = options.endpoints().resolveAll(e.service(), e.request());
        String notReplayed = notReplayed(method, endpoints);
        if (notReplayed == null) {
          notReplayed = sessions.notReplayed(endpoints.get(0).key());
        }
        if (notReplayed != null) {
          run.skip(notReplayed);
          continue;
        }
        if (e.request().body().truncated()) {
          run.skip("request body truncated at capture");
          continue;
        }
        permits.acquireUninterruptibly();
        Exchange ex = e;
        pool.execute(() -> {
          try {
            process(ex, method, endpoints, sessions, run);
          } finally {
            permits.release();
          }
        });
      }
    } finally {
      permits.acquireUninterruptibly(options.concurrency());
      pool.shutdown();
      sessions.close();
      sender.close();
    }
    if (run.replayed.get() == 0) {
      throw new ReplayInputException(run.read.get() == 0
          ? "no exchanges to replay in " + source.describe()
          : "nothing to replay: " + run.read.get() + " exchanges read from " + source.describe()
              + ", none replayable (" + String.join("; ", run.skipReasons.keySet()) + "); replayed methods are "
              + options.methods() + ", see --methods");
    }
    return report(run, startedAt);
  }

  /**
   * Why an exchange is not replayed, or null when it is: a method not in {@link
   * ReplayOptions#methods()}, except that GraphQL queries are (they only read, whatever the method);
   * GraphQL subscriptions never are.
   */
  private @Nullable String notReplayed(String method, List<Resolution> endpoints) {
    boolean queries = true;
    for (Resolution r : endpoints) {
      String type = r.operationType();
      if ("subscription".equals(type)) {
        return "GraphQL subscriptions not replayed";
      }
      queries &= "query".equals(type);
    }
    if (queries || options.methods().contains(method)) {
      return null;
    }
    return endpoints.get(0).key().hasOperation() ? "GraphQL mutations not replayed (" + method + " not in --methods)"
        : method + " not replayed";
  }

  private void process(Exchange e, String method, List<Resolution> endpoints, Sessions sessions, Run run) {
    boolean graphql = endpoints.get(0).key().hasOperation();
    List<EndpointAccumulator> accs = new ArrayList<>(endpoints.size());
    for (Resolution r : endpoints) {
      String template = r.key().path();
      String operation = r.key().operation();
      accs.add(run.endpoints.computeIfAbsent(method + " " + template + (operation.isEmpty() ? "" : " " + operation),
          k -> new EndpointAccumulator(method, template, operation)));
    }
    EndpointAccumulator acc = accs.get(0);
    try {
      CompletableFuture<Reply> f1;
      CompletableFuture<Reply> f2;
      CompletableFuture<Reply> f3;
      try {
        // Each side logged in the way the recording was, when it was (Sessions).
        f1 = sessions.send(Sessions.Side.BASELINE, e);
        f2 = sessions.send(Sessions.Side.BASELINE, e);
        f3 = sessions.send(Sessions.Side.SANDBOX, e);
      } catch (IllegalArgumentException ex) {
        String why = "the recorded request cannot be replayed: " + ex.getMessage();
        accs.forEach(a -> a.failed(e.id(), why));
        run.failed.incrementAndGet();
        return;
      }
      Reply b1 = f1.join();
      Reply b2 = f2.join();
      Reply s = f3.join();
      run.baseline.record(b1);
      run.baseline.record(b2);
      run.sandbox.record(s);
      if (b1 instanceof Reply.Ok(var r1) && b2 instanceof Reply.Ok(var r2) && s instanceof Reply.Ok(var rs)) {
        List<Comparison> cs = graphql ? Comparison.compareOperations(e, r1, r2, rs, accs.size())
            : List.of(Comparison.compare(e, r1, r2, rs));
        boolean differs = false;
        for (int i = 0; i < cs.size(); i++) {
          accs.get(i).add(e.id(), cs.get(i));
          differs |= !cs.get(i).diffs().isEmpty();
        }
        if (differs) {
          run.withDifferences.incrementAndGet();
        }
      } else {
        String reason = s instanceof Reply.Failed(var why, var connect) ? "sandbox: " + why
            : b1 instanceof Reply.Failed(var why, var connect) ? "baseline: " + why
            : "baseline: " + ((Reply.Failed) b2).reason();
        accs.forEach(a -> a.failed(e.id(), reason));
        run.failed.incrementAndGet();
      }
      run.checkFailFast();
    } catch (RuntimeException ex) {
      // One exchange that cannot be compared never stops the batch.
      acc.failed(e.id(), "comparison failed: " + ex);
      run.failed.incrementAndGet();
    } finally {
      run.replayed.incrementAndGet();
      run.listener.progress(run.progress());
    }
  }

  private DriftReport report(Run run, Instant startedAt) {
    List<EndpointReport> endpoints = new ArrayList<>();
    for (EndpointAccumulator acc : run.endpoints.values()) {
      endpoints.add(acc.finish(options.ignores()));
    }
    endpoints.sort(Comparator.comparing(EndpointReport::template).thenComparing(EndpointReport::method)
        .thenComparing(EndpointReport::operation));
    int breaking = 0;
    int compatible = 0;
    int ignored = 0;
    int failing = 0;
    for (EndpointReport ep : endpoints) {
      for (DriftReport.Difference d : ep.differences()) {
        if (d.driftClass() == DriftClass.BREAKING) {
          breaking++;
        } else {
          compatible++;
        }
        if (options.failOn().fails(d.driftClass())) {
          failing++;
        }
      }
      ignored += ep.ignored().size();
    }
    Targets t = options.targets();
    Verdict verdict = run.targetFailure(t);
    if (verdict == null) {
      verdict = failing > 0 ? new DriftReport.Drift(breaking, compatible) : new DriftReport.Pass();
    }
    return new DriftReport(
        UUID.randomUUID().toString(), startedAt, Instant.now(),
        t.baseline().toString(), t.sandbox().toString(), t.routingKey(), options.failOn(), verdict,
        new Counts(endpoints.size(), (int) run.replayed.get(), breaking, compatible, ignored),
        (int) run.skipped.get(), endpoints);
  }

  /** Mutable state of one replay, shared by the worker threads. */
  private static final class Run {
    final ReplayListener listener;
    final long startNanos;
    final AtomicLong read = new AtomicLong();
    final AtomicLong replayed = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong withDifferences = new AtomicLong();
    final Map<String, Boolean> skipReasons = new ConcurrentHashMap<>();
    final Map<String, EndpointAccumulator> endpoints = new ConcurrentHashMap<>();
    final SideStats baseline = new SideStats();
    final SideStats sandbox = new SideStats();
    volatile @Nullable String abort;

    Run(ReplayListener listener, long startNanos) {
      this.listener = listener;
      this.startNanos = startNanos;
    }

    void skip(String reason) {
      skipped.incrementAndGet();
      skipReasons.putIfAbsent(reason, Boolean.TRUE);
    }

    ReplayListener.Progress progress() {
      return new ReplayListener.Progress(read.get(), replayed.get(), skipped.get(), failed.get(),
          withDifferences.get(), Duration.ofNanos(System.nanoTime() - startNanos));
    }

    void checkFailFast() {
      if (abort == null && (baseline.hopeless() || sandbox.hopeless())) {
        abort = "a target failed its first " + FAIL_FAST_AFTER + " requests without one answer";
      }
    }

    @Nullable Verdict targetFailure(Targets t) {
      List<String> reasons = new ArrayList<>();
      String side = null;
      if (baseline.failing()) {
        reasons.add(baseline.describe("baseline " + t.baseline() + (t.routingKey() == null ? "" : " (without routing key)")));
        side = "baseline";
      }
      if (sandbox.failing()) {
        reasons.add(sandbox.describe("sandbox " + t.sandbox() + (t.routingKey() == null ? "" : " (routing key " + t.routingKey() + ")")));
        side = side == null ? "sandbox" : "baseline+sandbox";
      }
      return side == null ? null : new DriftReport.TargetFailure(side, String.join("; ", reasons));
    }
  }

  /** Per side: requests sent, failed without an answer, answered 5xx. */
  private static final class SideStats {
    private int sent;
    private int transport;
    private int serverErrors;
    private int answered;
    private @Nullable String firstReason;
    private int lastStatus;

    synchronized void record(Reply r) {
      sent++;
      if (r instanceof Reply.Failed(var reason, var connect)) {
        transport++;
        if (firstReason == null) {
          firstReason = reason;
        }
      } else if (r instanceof Reply.Ok(var resp)) {
        answered++;
        if (resp.status() >= 500) {
          serverErrors++;
          lastStatus = resp.status();
        }
      }
    }

    synchronized boolean hopeless() {
      return answered == 0 && transport >= FAIL_FAST_AFTER;
    }

    /** More than half the requests failed to connect or answered 5xx. */
    synchronized boolean failing() {
      return sent > 0 && (transport + serverErrors) * 2 > sent;
    }

    synchronized String describe(String who) {
      if (answered == 0) {
        return who + " is unreachable: " + firstReason + " (" + transport + " of " + sent + " requests failed)";
      }
      List<String> parts = new ArrayList<>();
      if (transport > 0) {
        parts.add(transport + " got no answer (" + firstReason + ")");
      }
      if (serverErrors > 0) {
        parts.add(serverErrors + " answered 5xx (last " + lastStatus + ")");
      }
      return who + " failed on " + (transport + serverErrors) + " of " + sent + " requests: " + String.join(", ", parts);
    }
  }
}
