package dev.tapline.replay;

import dev.tapline.replay.DriftReport.Difference;
import dev.tapline.replay.DriftReport.EndpointReport;
import dev.tapline.replay.DriftReport.EndpointVerdict;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code junit.xml}: one test suite, one test case per endpoint (classname {@code tapline.replay},
 * name {@code GET /orders/{id}}). A case fails when it has differences at or above {@code --fail-on}
 * and lists all of them; it errors when every exchange failed. Lower differences and ignored paths go
 * to {@code system-out}.
 */
final class JunitReport implements ReportWriter {
  @Override
  public String fileName() {
    return "junit.xml";
  }

  @Override
  public void write(DriftReport r, OutputStream out) throws IOException {
    Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    int failures = 0;
    int errors = 0;
    for (EndpointReport ep : r.endpoints()) {
      if (ep.verdict() == EndpointVerdict.ERROR) {
        errors++;
      } else if (fails(r, ep)) {
        failures++;
      }
    }
    boolean targetFailed = r.verdict() instanceof DriftReport.TargetFailure;
    double seconds = Duration.between(r.startedAt(), r.finishedAt()).toMillis() / 1000.0;
    w.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w.write("<testsuites name=\"tapline replay\" tests=\"" + (r.endpoints().size() + (targetFailed ? 1 : 0))
        + "\" failures=\"" + failures + "\" errors=\"" + (errors + (targetFailed ? 1 : 0)) + "\">\n");
    w.write("  <testsuite name=\"tapline replay\" tests=\"" + (r.endpoints().size() + (targetFailed ? 1 : 0))
        + "\" failures=\"" + failures + "\" errors=\"" + (errors + (targetFailed ? 1 : 0)) + "\" skipped=\"0\" time=\""
        + String.format(Locale.ROOT, "%.3f", seconds) + "\" timestamp=\"" + r.startedAt() + "\">\n");
    w.write("    <properties>\n");
    prop(w, "runId", r.runId());
    prop(w, "baseline", r.baseline());
    prop(w, "sandbox", r.sandbox());
    if (r.routingKey() != null) {
      prop(w, "routingKey", r.routingKey());
    }
    prop(w, "failOn", r.failOn().wireName());
    w.write("    </properties>\n");
    if (r.verdict() instanceof DriftReport.TargetFailure(var side, var reason)) {
      w.write("    <testcase classname=\"tapline.replay\" name=\"targets reachable\">\n");
      w.write("      <error message=\"" + attr(reason) + "\" type=\"target-failure\">" + text(reason) + "</error>\n");
      w.write("    </testcase>\n");
    }
    for (EndpointReport ep : r.endpoints()) {
      w.write("    <testcase classname=\"tapline.replay\" name=\"" + attr(ep.name()) + "\">\n");
      if (ep.verdict() == EndpointVerdict.ERROR) {
        String msg = "every exchange failed (" + ep.exchanges() + ")"
            + (ep.errors().isEmpty() ? "" : ": " + ep.errors().get(0));
        w.write("      <error message=\"" + attr(msg) + "\" type=\"exchange-failed\">" + text(String.join("\n", ep.errors()))
            + "</error>\n");
      } else if (fails(r, ep)) {
        long b = ep.count(DriftClass.BREAKING);
        long c = ep.count(DriftClass.COMPATIBLE);
        String msg = b + " breaking, " + c + " compatible difference" + (b + c == 1 ? "" : "s");
        w.write("      <failure message=\"" + attr(msg) + "\" type=\"" + (b > 0 ? "breaking" : "compatible") + "\">"
            + text(lines(ep.differences())) + "</failure>\n");
      }
      StringBuilder sysout = new StringBuilder();
      sysout.append(ep.exchanges()).append(" exchanges replayed\n");
      if (!fails(r, ep) && !ep.differences().isEmpty()) {
        sysout.append("differences below --fail-on ").append(r.failOn().wireName()).append(":\n").append(lines(ep.differences()));
      }
      if (!ep.ignored().isEmpty()) {
        sysout.append("ignored:\n");
        ep.ignored().forEach(i -> sysout.append("  ").append(i.path()).append(": ").append(i.reason()).append('\n'));
      }
      w.write("      <system-out>" + text(sysout.toString()) + "</system-out>\n");
      w.write("    </testcase>\n");
    }
    w.write("  </testsuite>\n</testsuites>\n");
    w.flush();
  }

  private static boolean fails(DriftReport r, EndpointReport ep) {
    return ep.differences().stream().anyMatch(d -> r.failOn().fails(d.driftClass()));
  }

  private static String lines(List<Difference> diffs) {
    StringBuilder sb = new StringBuilder();
    for (Difference d : diffs) {
      sb.append(d.driftClass().wireName()).append(' ').append(d.kind().wireName()).append(' ').append(d.path())
          .append(": ").append(d.message())
          .append(" [baseline ").append(d.baseline() == null ? "absent" : JsonDiffPreview.of(d.baseline()))
          .append(", sandbox ").append(d.sandbox() == null ? "absent" : JsonDiffPreview.of(d.sandbox()))
          .append("] exchange ").append(d.exchangeId()).append('\n');
    }
    return sb.toString();
  }

  private static void prop(Writer w, String name, String value) throws IOException {
    w.write("      <property name=\"" + attr(name) + "\" value=\"" + attr(value) + "\"/>\n");
  }

  static String text(String s) {
    return Xml.escape(s, false);
  }

  static String attr(String s) {
    return Xml.escape(s, true);
  }
}
