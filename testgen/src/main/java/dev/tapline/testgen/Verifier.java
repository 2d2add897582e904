package dev.tapline.testgen;

import dev.tapline.testgen.Plan.Check;
import dev.tapline.testgen.Plan.ClassPlan;
import dev.tapline.testgen.Plan.TestCase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --verify}: the generated suite compiled and run against the service it came from, {@code
 * runs} times (the second and later in a random order). An assertion that fails is removed with a
 * comment saying why; a test that still cannot pass is not written. Repeats until a whole round
 * passes (at most {@value #MAX_ROUNDS} rounds), so what is written passed every run of the last one.
 * Verification is the safety net: the generator already gets provenance, fresh values and
 * deployment literals right without it.
 */
final class Verifier {
  static final int MAX_ROUNDS = 3;
  private static final Pattern JSON_PATH = Pattern.compile("JSON path (\\S+) doesn't match");
  private static final int REASON_CHARS = 300;

  private final VerifyOptions options;

  Verifier(VerifyOptions options) {
    this.options = options;
  }

  /** What verification changed, for the summary and the report. */
  record Outcome(List<GenerationResult.Verification.Removed> removed,
      List<GenerationResult.Verification.NotWritten> notWritten, int rounds, long millis) {}

  /**
   * Verifies the plans, editing them in place: {@code emit} turns the plans into files.
   */
  Outcome verify(List<ClassPlan> classes, Function<List<ClassPlan>, SortedMap<String, String>> emit) {
    long start = System.nanoTime();
    List<GenerationResult.Verification.Removed> removed = new ArrayList<>();
    List<GenerationResult.Verification.NotWritten> notWritten = new ArrayList<>();
    Path work;
    try {
      work = Files.createTempDirectory("tapline-verify");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory to compile the tests in", e);
    }
    int round = 0;
    try {
      while (round < MAX_ROUNDS) {
        round++;
        SortedMap<String, String> files = emit.apply(classes);
        if (classes.stream().allMatch(c -> c.tests().isEmpty())) {
          break; // nothing left to verify
        }
        Map<String, String> failures = new TreeMap<>();
        try (SuiteRunner suite = SuiteRunner.compile(files, work.resolve("round" + round))) {
          for (int run = 1; run <= options.runs(); run++) {
            Long seed = run == 1 ? null : (long) (run * 7919 + round);
            SortedMap<String, String> results = suite.run(options.target().toString(), options.properties(), seed);
            SuiteRunner.failures(results).forEach(failures::putIfAbsent);
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot compile the generated tests: " + e.getMessage(), e);
        }
        if (failures.isEmpty()) {
          break;
        }
        boolean last = round == MAX_ROUNDS;
        for (int ci = 0; ci < classes.size(); ci++) {
          ClassPlan c = classes.get(ci);
          List<TestCase> kept = new ArrayList<>();
          for (TestCase t : c.tests()) {
            String message = failures.get(t.name());
            if (message == null) {
              kept.add(t);
              continue;
            }
            TestCase fixed = last ? null : withoutFailedChecks(t, message, removed);
            if (fixed == null) {
              notWritten.add(new GenerationResult.Verification.NotWritten(c.className() + "." + t.name(), reason(message)));
            } else {
              kept.add(fixed);
            }
          }
          classes.set(ci, c.withTests(kept));
        }
      }
    } finally {
      deleteQuietly(work);
    }
    return new Outcome(removed, notWritten, round, (System.nanoTime() - start) / 1_000_000);
  }

  /**
   * The test without the assertions its failure names, each with a comment; null when the failure
   * is not an assertion that can go (a status, a set-up step, an exception).
   */
  static TestCase withoutFailedChecks(TestCase t, String message, List<GenerationResult.Verification.Removed> removed) {
    if (message.contains(" answered ") || !message.contains("expectation")) {
      return null;
    }
    List<Check> checks = new ArrayList<>(t.checks());
    List<String> dropped = new ArrayList<>(t.dropped());
    String schema = t.schemaResource();
    String mime = t.mime();
    boolean any = false;
    Matcher m = JSON_PATH.matcher(message);
    while (m.find()) {
      String path = m.group(1).replaceAll("\\.$", "");
      if (checks.removeIf(c -> c.path().equals(path))) {
        dropped.add(path + " differed between runs (" + firstLineAfter(message, m.end()) + ")");
        removed.add(new GenerationResult.Verification.Removed(t.name(), path, "differed between runs"));
        any = true;
      }
    }
    if (schema != null && message.contains("JSON schema")) {
      dropped.add("the response's JSON schema; it did not hold on every run (" + schemaError(message) + ")");
      removed.add(new GenerationResult.Verification.Removed(t.name(), "JSON schema", schemaError(message)));
      schema = null;
      any = true;
    }
    if (mime != null && message.contains("content-type")) {
      dropped.add("the content type " + mime + "; it differed between runs");
      removed.add(new GenerationResult.Verification.Removed(t.name(), "content type", "differed between runs"));
      mime = null;
      any = true;
    }
    return any ? t.withChecks(schema, mime, checks, dropped) : null;
  }

  private static String firstLineAfter(String message, int at) {
    String rest = message.substring(Math.min(at, message.length())).strip();
    StringBuilder sb = new StringBuilder();
    for (String line : rest.split("\n")) {
      String l = line.strip();
      if (l.startsWith("Expected:") || l.startsWith("Actual:")) {
        sb.append(sb.length() == 0 ? "" : ", ").append(l);
      }
      if (sb.length() > 160) {
        break;
      }
    }
    return sb.length() > 200 ? sb.substring(0, 200) + "..." : sb.toString();
  }

  private static String schemaError(String message) {
    for (String line : message.split("\n")) {
      String l = line.strip();
      if (l.startsWith("error:")) {
        return l.length() > 160 ? l.substring(0, 160) + "..." : l;
      }
    }
    return "see the test's failure";
  }

  private static String reason(String message) {
    String one = message.replaceAll("\\s+", " ").strip();
    return one.length() > REASON_CHARS ? one.substring(0, REASON_CHARS) + "..." : one;
  }

  private static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException ignored) {
      // a temp directory left behind is harmless
    }
  }

  /** Verification report section for tapline-report.md. */
  static String report(VerifyOptions options, Outcome o, int written) {
    StringBuilder sb = new StringBuilder();
    sb.append("## Verification against ").append(SpecReport.mdCode(options.target().toString())).append("\n\n");
    sb.append(options.runs()).append(" run(s) per round, later runs in a random order; ").append(o.rounds())
        .append(" round(s) in ").append(o.millis()).append(" ms. ").append(written).append(" test(s) written.\n\n");
    sb.append("### Assertions removed\n\n");
    if (o.removed().isEmpty()) {
      sb.append("None.\n");
    } else {
      for (GenerationResult.Verification.Removed r : o.removed()) {
        sb.append("- `").append(SpecReport.mdCode(r.test())).append("`: `").append(SpecReport.mdCode(r.what()))
            .append("`: ").append(SpecReport.mdText(r.why())).append('\n');
      }
    }
    sb.append("\n### Tests not written\n\n");
    if (o.notWritten().isEmpty()) {
      sb.append("None.\n");
    } else {
      for (GenerationResult.Verification.NotWritten n : o.notWritten()) {
        sb.append("- `").append(SpecReport.mdCode(n.test())).append("`: ").append(SpecReport.mdText(n.why())).append('\n');
      }
    }
    return sb.toString();
  }
}
