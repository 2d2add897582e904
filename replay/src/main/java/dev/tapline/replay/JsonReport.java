package dev.tapline.replay;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.replay.DriftReport.Difference;
import dev.tapline.replay.DriftReport.EndpointReport;
import dev.tapline.replay.DriftReport.Ignored;
import java.io.IOException;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;

/** {@code drift.json}: schema version 1, documented in {@code docs/DRIFT.md}. */
final class JsonReport implements ReportWriter {
  static final int VERSION = 1;

  @Override
  public String fileName() {
    return "drift.json";
  }

  @Override
  public void write(DriftReport r, OutputStream out) throws IOException {
    try (JsonGenerator g = ExchangeCodec.mapper().getFactory().createGenerator(out)) {
      g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      g.writeStartObject();
      g.writeNumberField("v", VERSION);
      g.writeStringField("runId", r.runId());
      g.writeStringField("startedAt", r.startedAt().toString());
      g.writeStringField("finishedAt", r.finishedAt().toString());
      g.writeStringField("baseline", r.baseline());
      g.writeStringField("sandbox", r.sandbox());
      g.writeFieldName("routingKey");
      if (r.routingKey() == null) {
        g.writeNull();
      } else {
        g.writeString(r.routingKey());
      }
      g.writeStringField("failOn", r.failOn().wireName());
      g.writeStringField("verdict", r.verdict().wireName());
      if (r.verdict() instanceof DriftReport.TargetFailure f) {
        // Why the run could not compare: which side failed and how (the exit code 3 says only that).
        g.writeObjectFieldStart("error");
        g.writeStringField("side", f.side());
        g.writeStringField("reason", f.reason());
        g.writeEndObject();
      }
      g.writeObjectFieldStart("counts");
      g.writeNumberField("endpoints", r.counts().endpoints());
      g.writeNumberField("exchanges", r.counts().exchanges());
      g.writeNumberField("breaking", r.counts().breaking());
      g.writeNumberField("compatible", r.counts().compatible());
      g.writeNumberField("ignored", r.counts().ignored());
      g.writeEndObject();
      g.writeArrayFieldStart("endpoints");
      for (EndpointReport ep : r.endpoints()) {
        g.writeStartObject();
        g.writeStringField("method", ep.method());
        g.writeStringField("template", ep.template());
        if (!ep.operation().isEmpty()) {
          g.writeStringField("operation", ep.operation());
        }
        g.writeNumberField("exchanges", ep.exchanges());
        g.writeStringField("verdict", ep.verdict().wireName());
        g.writeArrayFieldStart("differences");
        for (Difference d : ep.differences()) {
          g.writeStartObject();
          g.writeStringField("path", d.path());
          g.writeStringField("kind", d.kind().wireName());
          g.writeStringField("class", d.driftClass().wireName());
          value(g, "baseline", d.baseline());
          value(g, "sandbox", d.sandbox());
          g.writeStringField("exchangeId", d.exchangeId());
          g.writeStringField("message", d.message());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("ignored");
        for (Ignored i : ep.ignored()) {
          g.writeStartObject();
          g.writeStringField("path", i.path());
          g.writeStringField("reason", i.reason());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
  }

  private static void value(JsonGenerator g, String name, @Nullable JsonNode v) throws IOException {
    g.writeFieldName(name);
    if (v == null) {
      g.writeNull();
    } else {
      g.writeTree(v);
    }
  }
}
