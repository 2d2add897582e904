package dev.tapline.replay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.replay.DriftReport.Difference;
import dev.tapline.replay.DriftReport.EndpointReport;
import dev.tapline.replay.DriftReport.Ignored;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * {@code report.html}: one self-contained page (inline CSS, no script, no external asset), one
 * section per endpoint with the baseline and sandbox values side by side. Every recorded value goes
 * through {@link Xml#escape}, so a captured {@code <script>} stays text.
 */
final class HtmlReport implements ReportWriter {
  private static final String CSS = """
      body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;background:#fff}
      h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
      .meta{color:#5b6475;margin-bottom:16px}.meta code{background:#f3f4f7;padding:1px 4px;border-radius:3px}
      .counts{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0 20px}
      .counts div{border:1px solid #dde1e8;border-radius:6px;padding:8px 14px;min-width:90px}
      .counts b{display:block;font-size:20px}
      .verdict{display:inline-block;padding:3px 10px;border-radius:12px;font-weight:600}
      .pass{background:#e3f6e8;color:#17672f}.drift{background:#fde7e7;color:#a11d1d}.error{background:#fff3d6;color:#8a5a00}
      section{border:1px solid #dde1e8;border-radius:8px;margin:14px 0;padding:10px 14px}
      section h2{margin:4px 0 8px;font-family:ui-monospace,Menlo,Consolas,monospace}
      .tag{font-size:12px;padding:1px 8px;border-radius:10px;margin-left:8px;font-family:system-ui,sans-serif}
      .breaking{background:#fde7e7;color:#a11d1d}.compatible{background:#e8effd;color:#1d4aa1}.ok{background:#e3f6e8;color:#17672f}
      table{border-collapse:collapse;width:100%;table-layout:fixed}
      th,td{border-top:1px solid #eceef2;padding:6px 8px;text-align:left;vertical-align:top}
      th{font-size:12px;color:#5b6475;font-weight:600}
      td.path{font-family:ui-monospace,Menlo,Consolas,monospace;width:22%;word-break:break-all}
      td.kind{width:14%}
      pre{margin:0;white-space:pre-wrap;word-break:break-all;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;max-height:260px;overflow:auto}
      td.side{width:27%}td.b pre{background:#fbf3f3;padding:4px}td.s pre{background:#f2f6fb;padding:4px}
      details{margin-top:8px;color:#5b6475}summary{cursor:pointer}
      ul{margin:4px 0 0 18px;padding:0}li code{font-family:ui-monospace,Menlo,Consolas,monospace}
      """;

  @Override
  public String fileName() {
    return "report.html";
  }

  @Override
  public void write(DriftReport r, OutputStream out) throws IOException {
    StringBuilder h = new StringBuilder(16384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Tapline replay: ").append(e(r.verdict().wireName())).append("</title>")
        .append("<style>").append(CSS).append("</style></head><body>\n");
    h.append("<h1>Tapline replay <span class=\"verdict ").append(e(r.verdict().wireName())).append("\">")
        .append(e(r.verdict().wireName())).append("</span></h1>\n");
    h.append("<div class=\"meta\">baseline <code>").append(e(r.baseline())).append("</code> · sandbox <code>")
        .append(e(r.sandbox())).append("</code>");
    if (r.routingKey() != null) {
      h.append(" · routing key <code>").append(e(r.routingKey())).append("</code>");
    }
    h.append(" · fail on <code>").append(e(r.failOn().wireName())).append("</code><br>run <code>")
        .append(e(r.runId())).append("</code> · ").append(e(r.startedAt().toString())).append(" → ")
        .append(e(r.finishedAt().toString())).append("</div>\n");
    if (r.verdict() instanceof DriftReport.TargetFailure f) {
      h.append("<p class=\"verdict error\">").append(e(f.reason())).append("</p>\n");
    }
    h.append("<div class=\"counts\">");
    count(h, "endpoints", r.counts().endpoints());
    count(h, "exchanges", r.counts().exchanges());
    count(h, "breaking", r.counts().breaking());
    count(h, "compatible", r.counts().compatible());
    count(h, "ignored", r.counts().ignored());
    if (r.skipped() > 0) {
      count(h, "skipped", r.skipped());
    }
    h.append("</div>\n");
    for (EndpointReport ep : r.endpoints()) {
      h.append("<section><h2>").append(e(ep.name())).append("<span class=\"tag ")
          .append(e(ep.verdict().wireName())).append("\">").append(e(ep.verdict().wireName())).append("</span>")
          .append("<span class=\"tag\">").append(ep.exchanges()).append(ep.exchanges() == 1 ? " exchange" : " exchanges").append("</span></h2>\n");
      if (!ep.differences().isEmpty()) {
        h.append("<table><thead><tr><th>path</th><th>change</th><th>baseline</th><th>sandbox</th></tr></thead><tbody>\n");
        for (Difference d : ep.differences()) {
          h.append("<tr><td class=\"path\">").append(e(d.path())).append("</td><td class=\"kind\"><span class=\"tag ")
              .append(e(d.driftClass().wireName())).append("\">").append(e(d.driftClass().wireName()))
              .append("</span><br>").append(e(d.kind().wireName())).append("<br><small>").append(e(d.message()))
              .append("</small></td><td class=\"side b\"><pre>").append(value(d.baseline()))
              .append("</pre></td><td class=\"side s\"><pre>").append(value(d.sandbox()))
              .append("</pre><small>exchange ").append(e(d.exchangeId())).append("</small></td></tr>\n");
        }
        h.append("</tbody></table>\n");
      } else if (ep.verdict() != DriftReport.EndpointVerdict.ERROR) {
        h.append("<p>No differences.</p>\n");
      }
      if (!ep.errors().isEmpty()) {
        h.append("<details open><summary>failed exchanges</summary><ul>");
        for (String err : ep.errors()) {
          h.append("<li>").append(e(err)).append("</li>");
        }
        h.append("</ul></details>\n");
      }
      if (!ep.ignored().isEmpty()) {
        h.append("<details><summary>").append(ep.ignored().size()).append(" ignored (noise)</summary><ul>");
        for (Ignored i : ep.ignored()) {
          h.append("<li><code>").append(e(i.path())).append("</code>: ").append(e(i.reason())).append("</li>");
        }
        h.append("</ul></details>\n");
      }
      h.append("</section>\n");
    }
    h.append("</body></html>\n");
    out.write(h.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void count(StringBuilder h, String label, long n) {
    h.append("<div><b>").append(n).append("</b>").append(e(label)).append("</div>");
  }

  private static String value(@Nullable JsonNode v) {
    if (v == null) {
      return "<i>absent</i>";
    }
    String s;
    try {
      s = v.isContainerNode()
          ? dev.tapline.core.ExchangeCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(v)
          : v.toString();
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      s = v.toString();
    }
    if (s.length() > 4000) {
      s = s.substring(0, 4000) + "\n…";
    }
    return e(s);
  }

  private static String e(String s) {
    return Xml.escape(s, true);
  }
}
