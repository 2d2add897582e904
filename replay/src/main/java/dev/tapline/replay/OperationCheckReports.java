package dev.tapline.replay;

import static dev.tapline.replay.JunitReport.attr;
import static dev.tapline.replay.JunitReport.text;
import static dev.tapline.replay.MarkdownReport.cell;
import static dev.tapline.replay.MarkdownReport.code;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.replay.OperationCheckReport.Change;
import dev.tapline.replay.OperationCheckReport.Operation;
import dev.tapline.replay.OperationCheckReport.SchemaChanges;
import dev.tapline.replay.OperationCheckReport.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reports of {@code tapline graphql check}, next to a replay's in the same directory and in the
 * same three forms: {@code graphql-check.xml} (JUnit, one test case per operation, failing when it
 * is broken), {@code graphql-check.md} (for a pull-request comment) and {@code graphql-check.json}
 * (the documented machine-readable form, {@code docs/GRAPHQL.md}).
 */
final class OperationCheckReports {
  static final int JSON_VERSION = 1;
  static final int UNUSED_SHOWN = 30;

  private OperationCheckReports() {}

  static List<Path> writeAll(OperationCheckReport r, Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>();
    out.add(write(dir, "graphql-check.xml", junit(r)));
    out.add(write(dir, "graphql-check.md", markdown(r).getBytes(StandardCharsets.UTF_8)));
    out.add(write(dir, "graphql-check.json", json(r)));
    return out;
  }

  private static Path write(Path dir, String name, byte[] bytes) throws IOException {
    Path tmp = dir.resolve(name + ".tmp");
    Files.write(tmp, bytes);
    return Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static byte[] junit(OperationCheckReport r) {
    StringBuilder w = new StringBuilder();
    long broken = r.count(Status.BROKEN);
    double seconds = Duration.between(r.startedAt(), r.finishedAt()).toMillis() / 1000.0;
    String counts = "tests=\"" + r.operations().size() + "\" failures=\"" + broken + "\" errors=\"0\"";
    w.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w.append("<testsuites name=\"tapline graphql check\" ").append(counts).append(">\n");
    w.append("  <testsuite name=\"tapline graphql check\" ").append(counts).append(" skipped=\"0\" time=\"")
        .append(String.format(Locale.ROOT, "%.3f", seconds)).append("\" timestamp=\"").append(r.startedAt()).append("\">\n");
    w.append("    <properties>\n");
    w.append("      <property name=\"schema\" value=\"").append(attr(r.schema())).append("\"/>\n");
    if (r.oldSchema() != null) {
      w.append("      <property name=\"oldSchema\" value=\"").append(attr(r.oldSchema())).append("\"/>\n");
    }
    w.append("      <property name=\"source\" value=\"").append(attr(r.source())).append("\"/>\n");
    w.append("    </properties>\n");
    for (Operation op : r.operations()) {
      w.append("    <testcase classname=\"tapline.graphql.").append(attr(op.service())).append("\" name=\"")
          .append(attr(op.operation())).append("\">\n");
      if (op.status() == Status.BROKEN) {
        w.append("      <failure message=\"").append(attr(op.problems().get(0))).append("\" type=\"broken\">")
            .append(text(String.join("\n", op.problems()) + "\n\n" + op.document())).append("</failure>\n");
      }
      StringBuilder out = new StringBuilder();
      out.append(op.status().wireName()).append(", seen ").append(op.seen()).append(" times")
          .append(op.documents() > 1 ? " in " + op.documents() + " documents" : "").append(", newest exchange ")
          .append(op.exampleId()).append('\n');
      op.deprecated().forEach(d -> out.append("deprecated: ").append(d).append('\n'));
      w.append("      <system-out>").append(text(out.toString())).append("</system-out>\n");
      w.append("    </testcase>\n");
    }
    w.append("  </testsuite>\n</testsuites>\n");
    return w.toString().getBytes(StandardCharsets.UTF_8);
  }

  static String markdown(OperationCheckReport r) {
    StringBuilder sb = new StringBuilder();
    long broken = r.count(Status.BROKEN);
    long deprecated = r.count(Status.DEPRECATED_USE);
    long fine = r.count(Status.FINE);
    sb.append("### ").append(broken > 0 ? "❌" : "✅").append(" Tapline GraphQL check: ")
        .append(broken > 0 ? broken + " recorded operation" + (broken == 1 ? "" : "s") + " broken by `" + code(r.schema()) + "`"
            : "every recorded operation is valid against `" + code(r.schema()) + "`")
        .append("\n\n");
    sb.append(r.operations().size()).append(" operations from ").append(r.exchangesRead()).append(" exchanges (`")
        .append(code(r.source())).append("`): ").append(broken).append(" broken, ").append(deprecated)
        .append(" deprecated-use, ").append(fine).append(" fine.\n\n");
    sb.append("| status | operation | service | seen | why |\n|---|---|---|---:|---|\n");
    for (Operation op : r.operations()) {
      String why = op.status() == Status.BROKEN ? String.join("; ", op.problems())
          : op.status() == Status.DEPRECATED_USE ? String.join("; ", op.deprecated()) : "";
      sb.append("| ").append(op.status().wireName()).append(" | `").append(code(op.operation())).append("` | ")
          .append(cell(op.service())).append(" | ").append(op.seen()).append(" | ").append(cell(why)).append(" |\n");
    }
    SchemaChanges c = r.changes();
    sb.append("\n#### Schema changes\n\n");
    if (c.againstOldSchema()) {
      sb.append("`").append(code(String.valueOf(r.oldSchema()))).append("` → `").append(code(r.schema())).append("`:\n\n");
    } else {
      sb.append("The schema the operations were recorded against is unknown (give `--old-schema`): what the recorded "
          + "operations select is compared with `").append(code(r.schema())).append("`.\n\n");
    }
    if (c.removed().isEmpty() && c.changed().isEmpty() && c.added().isEmpty()) {
      sb.append("No field or argument the recorded operations select is missing.\n");
    }
    for (Change ch : c.removed()) {
      sb.append("- removed `").append(code(ch.coordinate())).append('`').append(typeOf(ch.before())).append(": ")
          .append(usage(ch)).append('\n');
    }
    for (Change ch : c.changed()) {
      sb.append("- changed `").append(code(ch.coordinate())).append("` from `").append(code(String.valueOf(ch.before())))
          .append("` to `").append(code(String.valueOf(ch.after()))).append("`: ").append(usage(ch)).append('\n');
    }
    for (Change ch : c.added()) {
      sb.append("- added `").append(code(ch.coordinate())).append('`').append(typeOf(ch.after())).append('\n');
    }
    if (!c.unused().isEmpty()) {
      List<String> shown = c.unused().subList(0, Math.min(UNUSED_SHOWN, c.unused().size()));
      sb.append("\nFields of `").append(code(r.schema())).append("` no recorded operation selects (").append(c.unused().size())
          .append("): ").append(String.join(", ", shown.stream().map(u -> "`" + code(u) + "`").toList()))
          .append(c.unused().size() > shown.size() ? ", …" : "").append('\n');
    }
    return sb.toString();
  }

  private static String typeOf(String type) {
    return type == null ? "" : " (`" + code(type) + "`)";
  }

  private static String usage(Change ch) {
    return ch.safe() ? "safe, no recorded operation selects it"
        : "used by " + String.join(", ", ch.usedBy().stream().map(u -> "`" + code(u) + "`").toList());
  }

  static byte[] json(OperationCheckReport r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try (JsonGenerator g = ExchangeCodec.mapper().getFactory().createGenerator(out)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeNumberField("v", JSON_VERSION);
      g.writeStringField("schema", r.schema());
      g.writeStringField("oldSchema", r.oldSchema());
      g.writeStringField("source", r.source());
      g.writeStringField("startedAt", r.startedAt().toString());
      g.writeStringField("finishedAt", r.finishedAt().toString());
      g.writeStringField("verdict", r.verdict());
      g.writeObjectFieldStart("counts");
      g.writeNumberField("exchanges", r.exchangesRead());
      g.writeNumberField("operations", r.operations().size());
      for (Status s : Status.values()) {
        g.writeNumberField(s.wireName(), r.count(s));
      }
      g.writeEndObject();
      g.writeArrayFieldStart("operations");
      for (Operation op : r.operations()) {
        g.writeStartObject();
        g.writeStringField("service", op.service());
        g.writeStringField("operation", op.operation());
        g.writeStringField("status", op.status().wireName());
        g.writeNumberField("seen", op.seen());
        g.writeNumberField("firstSeen", op.firstSeen());
        g.writeNumberField("lastSeen", op.lastSeen());
        g.writeStringField("exampleId", op.exampleId());
        g.writeNumberField("documents", op.documents());
        strings(g, "problems", op.problems());
        strings(g, "deprecated", op.deprecated());
        g.writeStringField("document", op.document());
        g.writeEndObject();
      }
      g.writeEndArray();
      SchemaChanges c = r.changes();
      g.writeObjectFieldStart("schemaChanges");
      g.writeBooleanField("againstOldSchema", c.againstOldSchema());
      changes(g, "removed", c.removed());
      changes(g, "changed", c.changed());
      changes(g, "added", c.added());
      strings(g, "unused", c.unused());
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void changes(JsonGenerator g, String name, List<Change> changes) throws IOException {
    g.writeArrayFieldStart(name);
    for (Change ch : changes) {
      g.writeStartObject();
      g.writeStringField("coordinate", ch.coordinate());
      g.writeStringField("before", ch.before());
      g.writeStringField("after", ch.after());
      g.writeBooleanField("safe", ch.safe());
      strings(g, "usedBy", ch.usedBy());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }
}
