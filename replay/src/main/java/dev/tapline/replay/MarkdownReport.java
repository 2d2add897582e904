package dev.tapline.replay;

import dev.tapline.replay.DriftReport.Difference;
import dev.tapline.replay.DriftReport.EndpointReport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** {@code summary.md}: short enough for a pull-request comment; breaking differences first. */
final class MarkdownReport implements ReportWriter {
  static final int TOP = 15;

  @Override
  public String fileName() {
    return "summary.md";
  }

  @Override
  public void write(DriftReport r, OutputStream out) throws IOException {
    StringBuilder sb = new StringBuilder();
    String icon = switch (r.verdict()) {
      case DriftReport.Pass p -> "✅";
      case DriftReport.Drift d -> "❌";
      case DriftReport.TargetFailure f -> "⚠️";
    };
    String headline = switch (r.verdict()) {
      case DriftReport.Pass p -> r.counts().breaking() + r.counts().compatible() > 0
          ? "pass with fail on `" + r.failOn().wireName() + "`: " + r.counts().breaking() + " breaking, "
              + r.counts().compatible() + " compatible"
          : "no contract drift";
      case DriftReport.Drift d -> "contract drift: " + d.breaking() + " breaking, " + d.compatible() + " compatible";
      case DriftReport.TargetFailure f -> "could not compare: " + f.reason();
    };
    sb.append("### ").append(icon).append(" Tapline replay: ").append(cell(headline)).append("\n\n");
    sb.append("Baseline `").append(code(r.baseline())).append("` vs sandbox `").append(code(r.sandbox())).append('`');
    if (r.routingKey() != null) {
      sb.append(" (routing key `").append(code(r.routingKey())).append("`)");
    }
    sb.append(", fail on `").append(r.failOn().wireName()).append("`.\n\n");
    sb.append("| | |\n|---|---:|\n");
    sb.append("| Endpoints checked | ").append(r.counts().endpoints()).append(" |\n");
    sb.append("| Exchanges replayed | ").append(r.counts().exchanges()).append(" |\n");
    if (r.skipped() > 0) {
      sb.append("| Exchanges skipped (method or truncated body) | ").append(r.skipped()).append(" |\n");
    }
    sb.append("| Breaking | ").append(r.counts().breaking()).append(" |\n");
    sb.append("| Compatible | ").append(r.counts().compatible()).append(" |\n");
    sb.append("| Ignored (noise) | ").append(r.counts().ignored()).append(" |\n\n");

    List<Map.Entry<EndpointReport, Difference>> all = new ArrayList<>();
    for (EndpointReport ep : r.endpoints()) {
      for (Difference d : ep.differences()) {
        all.add(Map.entry(ep, d));
      }
    }
    if (!all.isEmpty()) {
      all.sort(Comparator.comparing((Map.Entry<EndpointReport, Difference> e) -> e.getValue().driftClass()));
      sb.append("#### Top differences\n\n");
      sb.append("| Class | Endpoint | Path | Change |\n|---|---|---|---|\n");
      for (Map.Entry<EndpointReport, Difference> e : all.subList(0, Math.min(TOP, all.size()))) {
        Difference d = e.getValue();
        sb.append("| ").append(d.driftClass() == DriftClass.BREAKING ? "**breaking**" : "compatible")
            .append(" | `").append(code(e.getKey().name())).append("` | `").append(code(d.path())).append("` | ")
            .append(cell(d.message())).append(" |\n");
      }
      if (all.size() > TOP) {
        sb.append("\n…and ").append(all.size() - TOP).append(" more in `report.html` and `drift.json`.\n");
      }
      sb.append('\n');
    }
    List<EndpointReport> failed = r.endpoints().stream()
        .filter(ep -> ep.verdict() == DriftReport.EndpointVerdict.ERROR).toList();
    if (!failed.isEmpty()) {
      sb.append("Endpoints where every exchange failed:\n\n");
      for (EndpointReport ep : failed) {
        sb.append("- `").append(code(ep.name())).append("`: ")
            .append(cell(ep.errors().isEmpty() ? "no reason recorded" : ep.errors().get(0)))
            .append(ep.errors().size() > 1 ? " (and " + (ep.errors().size() - 1) + " more in `report.html`)" : "")
            .append('\n');
      }
      sb.append('\n');
    }
    sb.append("<sub>run ").append(r.runId()).append(" · ").append(r.startedAt()).append("</sub>\n");
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Text in a table cell: no pipes or newlines, no HTML. */
  static String cell(String s) {
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
        .replace("<", "&lt;").replace(">", "&gt;");
  }

  /** Text inside backticks: backticks cannot be escaped there, so they become quotes. */
  static String code(String s) {
    return s.replace('`', '\'').replace("|", "\\|").replace("\r", " ").replace("\n", " ");
  }
}
