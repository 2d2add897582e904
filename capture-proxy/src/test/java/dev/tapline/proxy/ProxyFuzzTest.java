package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the proxy's request and response handling ({@link HttpFuzz}): every probe gets
 * a refusal or a close, nothing ambiguous reaches a real upstream, the proxy keeps serving, and no
 * buffer leaks. In CI 300 request and 150 response probes run in a few seconds; for a longer run, e.g.
 * {@code -Dtapline.fuzz.probes=20000 -Dtapline.fuzz.seed=7}. A failure names the seed and the probe.
 */
class ProxyFuzzTest {
  static final long SEED = Long.getLong("tapline.fuzz.seed", 20_260_101L);
  static final int PROBES = Integer.getInteger("tapline.fuzz.probes", 300);
  static final int CLIENTS = 8;

  @Test
  void everyMalformedRequestIsRefusedOrClosedAndNothingAmbiguousReachesTheUpstream() throws Exception {
    HttpFuzz fuzz = new HttpFuzz(SEED);
    List<HttpFuzz.Probe> probes = new ArrayList<>();
    for (int i = 0; i < PROBES; i++) {
      probes.add(fuzz.next(i));
    }
    try (FuzzHarness h = new FuzzHarness()) {
      runAll(h, probes.subList(0, Math.min(50, probes.size()))); // warm up pools and caches
      long baseline = FuzzHarness.usedDirectMemory();
      List<String> failures = runAll(h, probes);
      assertThat(failures).as("probes that failed (seed %d)", SEED).isEmpty();
      h.assertUpstreamSawOnlyWellFormedRequests();
      h.assertStillServes();
      h.assertNoLeaks();
      assertThat(FuzzHarness.usedDirectMemory()).as("direct memory after the run, against %d before", baseline)
          .isLessThanOrEqualTo(baseline + 8L * 1024 * 1024);
    }
  }

  @Test
  void everyMalformedResponseReachesTheClientWellFramedOrAsA502OrAClose() throws Exception {
    HttpFuzz fuzz = new HttpFuzz(SEED + 1);
    List<HttpFuzz.Probe> responses = new ArrayList<>();
    for (int i = 0; i < PROBES / 2; i++) {
      responses.add(fuzz.nextResponse(i));
    }
    ResponseFuzz.run(responses);
  }

  static List<String> runAll(FuzzHarness h, List<HttpFuzz.Probe> probes) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (HttpFuzz.Probe p : probes) {
        results.add(clients.submit(() -> {
          String why = h.check(p);
          return why == null ? null : p.name() + ": " + why + "\n    sent: " + p.printable();
        }));
      }
      List<String> failures = new ArrayList<>();
      for (Future<String> f : results) {
        String why = f.get();
        if (why != null) {
          failures.add(why);
        }
      }
      return failures;
    } finally {
      clients.shutdownNow();
    }
  }
}
