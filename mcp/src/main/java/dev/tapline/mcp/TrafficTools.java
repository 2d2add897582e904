package dev.tapline.mcp;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Header;
import dev.tapline.core.Headers;
import dev.tapline.core.api.EndpointStats;
import dev.tapline.core.api.ExchangeSummary;
import dev.tapline.core.api.Page;
import dev.tapline.mcp.ToolSpec.Hints;
import dev.tapline.mcp.ToolSpec.Reply;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code search_traffic}, {@code get_exchange} and {@code list_endpoints}: reading what was recorded. */
final class TrafficTools {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;
  static final int DEFAULT_BODY_BYTES = 4096;
  static final int MAX_BODY_BYTES = 65536;
  private static final int MAX_HEADERS = 40;
  private static final int MAX_ENDPOINTS = 150;

  private final Recorder recorder;

  TrafficTools(Recorder recorder) {
    this.recorder = recorder;
  }

  List<ToolSpec> tools() {
    return List.of(search(), exchange(), endpoints());
  }

  // ---- search_traffic ----

  private ToolSpec search() {
    InputSchema in = InputSchema.object()
        .string("query", "Lucene query over the recorded exchanges, e.g. `status:5xx`, `routingKey:pr-42`,"
            + " `template:\"/orders/{orderId}\" AND method:GET`, `body:\"out of stock\"`. Leave out for everything.")
        .string("service", "Only this service's traffic (as list_endpoints names it), e.g. orders.")
        .string("routingKey", "Only the traffic of this sandbox routing key, e.g. pr-42; \"\" for baseline traffic only.")
        .string("since", "Only the last part of the timeline: 30s, 15m, 2h, 7d or 2w.")
        .integer("limit", "How many summaries to return, newest first: 1 to " + MAX_LIMIT + " (default " + DEFAULT_LIMIT + ").",
            1, MAX_LIMIT)
        .string("cursor", "The cursor a previous call printed, to get the next page of the same search.");
    return ToolSpec.of("search_traffic", "Search recorded traffic",
        "Searches the HTTP exchanges Tapline recorded (baseline and sandbox traffic through the capture proxy)"
            + " and returns one line per exchange, newest first: time, method, path, status, duration, service,"
            + " routing key and id. Use it to find what a service or a sandbox did, failing calls (status:5xx),"
            + " or an exchange id to read in full with get_exchange. Filters are ANDed; the last line says how"
            + " to get the next page.",
        in, Hints.READ_ONLY, this::searchTraffic);
  }

  private Reply searchTraffic(Args a) {
    String service = a.string("service");
    String routingKey = a.stringOrEmpty("routingKey");
    String since = a.string("since");
    String q = Query.of(a.string("query"), service, routingKey, since);
    int limit = a.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    String cursor = a.string("cursor");
    Page page = recorder.search(q, limit, cursor);
    if (page.items().isEmpty()) {
      if (cursor != null) {
        return Reply.ok("No more exchanges match " + Query.show(q) + ": that was the last page.");
      }
      Recorder.Empty why = recorder.whyEmpty(service, routingKey, since);
      return new Reply("No exchanges match " + Query.show(q) + ".\n" + why.text(), why.mistake());
    }
    StringBuilder out = new StringBuilder();
    out.append(Text.count(page.items().size(), "exchange")).append(" matching ").append(Query.show(q))
        .append(", newest first").append(page.nextCursor() == null ? " (all of them)" : " (more on the next page)")
        .append(":\n");
    for (ExchangeSummary s : page.items()) {
      out.append(summaryLine(s)).append('\n');
    }
    if (page.nextCursor() != null) {
      out.append("More: call search_traffic again with the same arguments and cursor \"").append(page.nextCursor())
          .append("\". ");
    }
    out.append("Details: get_exchange with an id shows the whole exchange (headers, bodies);"
        + " list_endpoints shows call counts and latency per endpoint.");
    return Reply.ok(out.toString());
  }

  static String summaryLine(ExchangeSummary s) {
    // A route's rule answered (override:<url>, mock, fault): said next to the key, as it is not the sandbox.
    String t = s.target();
    boolean rule = t != null && !t.equals(Exchange.BASELINE) && !t.startsWith("sandbox:");
    String where = s.service() + (s.routingKey() == null ? "" : " [" + s.routingKey() + (rule ? " " + t : "") + "]");
    return Text.time(s.time()) + "  " + s.method() + " " + Text.line(s.path(), 120) + " -> "
        + (s.status() == 0 ? "no response" : Integer.toString(s.status())) + "  " + Text.duration(s.durationMicros())
        + "  " + where + "  id " + s.id();
  }

  // ---- get_exchange ----

  private ToolSpec exchange() {
    InputSchema in = InputSchema.object()
        .string("id", "The exchange id, as search_traffic or list_endpoints printed it.")
        .integer("maxBodyBytes", "Show at most this many bytes of each body: 0 to " + MAX_BODY_BYTES
            + " (default " + DEFAULT_BODY_BYTES + "). Raise it when a body was cut and you need the rest.", 0, MAX_BODY_BYTES)
        .require("id");
    return ToolSpec.of("get_exchange", "Read one exchange",
        "Returns one recorded exchange in full: request line, headers and body; response status, headers and"
            + " body; timing, service, routing key and what was redacted. Bodies are cut to 4 KiB each by default"
            + " (the result says so, and maxBodyBytes shows more). Use it after search_traffic to see exactly what"
            + " a client sent and a service answered.",
        in, Hints.READ_ONLY, this::getExchange);
  }

  private Reply getExchange(Args a) {
    String id = a.required("id", "\"019ac21e-7c0e-7a31-b0e4-6f0d2a8c5e11\" (from search_traffic)");
    int maxBody = a.integer("maxBodyBytes", DEFAULT_BODY_BYTES, 0, MAX_BODY_BYTES);
    Optional<Exchange> found;
    try {
      found = recorder.client.exchange(id);
    } catch (IOException e) {
      throw recorder.failure(e, null);
    }
    if (found.isEmpty()) {
      throw new ToolError("No exchange with id \"" + id + "\". search_traffic lists the ids of recorded exchanges.");
    }
    return Reply.ok(describe(found.get(), maxBody));
  }

  static String describe(Exchange e, int maxBody) {
    StringBuilder out = new StringBuilder();
    out.append(e.request().method()).append(' ').append(e.request().uri()).append(" -> ")
        .append(e.response() == null ? "no response" : Integer.toString(e.response().status()))
        .append(" in ").append(Text.duration(e.durationMicros())).append('\n');
    out.append("id ").append(e.id()).append("  time ").append(Text.time(e.startedAt())).append("  service ")
        .append(e.service()).append("  target ").append(e.target());
    if (e.routingKey() != null) {
      out.append("  routing key ").append(e.routingKey());
    }
    out.append("  host ").append(e.request().authority()).append('\n');
    if (e.traceparent() != null) {
      out.append("traceparent ").append(e.traceparent()).append('\n');
    }
    out.append("\nRequest headers:\n");
    headers(out, e.request().headers());
    body(out, "Request body", e.request().body(), maxBody);
    if (e.response() != null) {
      out.append("\nResponse ").append(e.response().status()).append(" headers:\n");
      headers(out, e.response().headers());
      body(out, "Response body", e.response().body(), maxBody);
    }
    if (e.error() != null) {
      out.append("\nNo complete response: ").append(e.error().kind()).append(" - ").append(e.error().message()).append('\n');
    }
    if (!e.redactions().isEmpty()) {
      out.append("\nRedacted before recording (values are gone): ").append(String.join(", ", e.redactions())).append('\n');
    }
    return out.toString().stripTrailing();
  }

  private static void headers(StringBuilder out, Headers headers) {
    if (headers.isEmpty()) {
      out.append("  (none)\n");
      return;
    }
    int shown = 0;
    for (Header h : headers.entries()) {
      if (shown++ == MAX_HEADERS) {
        out.append("  ... ").append(headers.size() - MAX_HEADERS).append(" more\n");
        break;
      }
      out.append("  ").append(h.name()).append(": ").append(Text.line(h.value(), 300)).append('\n');
    }
  }

  private static void body(StringBuilder out, String label, Body body, int maxBody) {
    if (body.isEmpty()) {
      out.append(label).append(": none\n");
      return;
    }
    String type = body.contentType() == null ? "no content type" : body.contentType();
    String size = Text.bytes(body.originalSize());
    String captured = body.truncated()
        ? "; the proxy captured only the first " + Text.bytes(body.bytes().length) : "";
    String text = body.textOrNull();
    if (text == null) {
      out.append(label).append(" (").append(type).append(", ").append(size).append(captured)
          .append("): binary, not shown\n");
      return;
    }
    String shown = Text.prefixWithinBytes(text, maxBody);
    String cut = shown.length() < text.length()
        ? "; cut to the first " + Text.bytes(Text.utf8Length(shown)) + " here, ask again with a larger maxBodyBytes"
            + " (up to " + MAX_BODY_BYTES + ") for more" : "";
    out.append(label).append(" (").append(type).append(", ").append(size).append(captured).append(cut).append("):\n")
        .append(shown);
    if (!shown.endsWith("\n")) {
      out.append('\n');
    }
  }

  // ---- list_endpoints ----

  private ToolSpec endpoints() {
    InputSchema in = InputSchema.object()
        .string("service", "Only this service's endpoints, e.g. orders. Leave out for every service.")
        .string("routingKey", "Only the traffic of this sandbox routing key; \"\" for baseline traffic only."
            + " Leave out for all traffic.");
    return ToolSpec.of("list_endpoints", "List endpoints",
        "Lists the endpoints seen in recorded traffic (method and path template such as GET /orders/{orderId},"
            + " per service) with call counts, the mix of statuses, latency p50/p95 and when each was last called,"
            + " most called first. Use it to get an overview of a service or a sandbox before searching, and to"
            + " name the endpoint for generate_tests.",
        in, Hints.READ_ONLY, this::listEndpoints);
  }

  private Reply listEndpoints(Args a) {
    String service = a.string("service");
    String routingKey = a.stringOrEmpty("routingKey");
    List<EndpointStats> all = new ArrayList<>(recorder.endpoints(service, routingKey));
    String scope = (service == null ? "every service" : "service " + service) + ", "
        + (routingKey == null ? "all traffic" : routingKey.isEmpty() ? "baseline traffic only" : "routing key " + routingKey);
    if (all.isEmpty()) {
      Recorder.Empty why = recorder.whyEmpty(service, routingKey, null);
      return new Reply("No endpoints recorded for " + scope + ".\n" + why.text(), why.mistake());
    }
    all.sort(Comparator.comparingLong(EndpointStats::count).reversed()
        .thenComparing(EndpointStats::service).thenComparing(EndpointStats::template).thenComparing(EndpointStats::method));
    boolean manyServices = all.stream().map(EndpointStats::service).distinct().count() > 1;
    StringBuilder out = new StringBuilder();
    out.append(Text.count(all.size(), "endpoint")).append(" (").append(scope).append("), most called first:\n");
    int shown = 0;
    for (EndpointStats e : all) {
      if (shown++ == MAX_ENDPOINTS) {
        out.append("... ").append(all.size() - MAX_ENDPOINTS).append(" more; narrow with service.\n");
        break;
      }
      out.append(e.method()).append(' ').append(e.template());
      if (manyServices) {
        out.append("  [").append(e.service()).append(']');
      }
      out.append("  ").append(Text.count(e.count(), "call")).append("  status ").append(statusMix(e.statusCounts()))
          .append("  p50 ").append(Text.duration(e.p50Micros())).append("  p95 ").append(Text.duration(e.p95Micros()))
          .append("  last ").append(Text.time(e.lastSeen())).append("  example id ").append(e.exampleId()).append('\n');
    }
    out.append("Next: search_traffic with query template:\"<template>\" lists an endpoint's calls;"
        + " generate_tests with service and endpoint \"METHOD <template>\" writes contract tests for it.");
    return Reply.ok(out.toString());
  }

  static String statusMix(Map<Integer, Long> counts) {
    List<String> parts = new ArrayList<>();
    counts.forEach((status, n) -> parts.add((status == 0 ? "none" : status.toString()) + "x" + n));
    return String.join(" ", parts);
  }
}
