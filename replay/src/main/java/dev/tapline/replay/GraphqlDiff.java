package dev.tapline.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares two GraphQL responses ({@code {"data", "errors", "extensions"}}) part by part: {@code
 * data} (and anything else at the top) as JSON, field by field under {@code $.data}; {@code errors}
 * by which errors there are, each known by its message and path, so a new one ("Cannot query field
 * ...") is breaking even though the server answered 200; {@code extensions} (tracing, cost) not at
 * all.
 */
final class GraphqlDiff {
  static final String ERRORS = "$.errors";
  static final String EXTENSIONS = "$.extensions";
  static final String EXTENSIONS_IGNORED = "GraphQL extensions (tracing, cost) are not compared";

  private GraphqlDiff() {}

  static void diff(ObjectNode a, ObjectNode b, List<RawDiff> out) {
    Map<String, JsonNode> ea = errors(a);
    Map<String, JsonNode> eb = errors(b);
    ArrayNode added = JsonNodeFactory.instance.arrayNode();
    List<String> addedText = new ArrayList<>();
    eb.forEach((k, v) -> {
      if (!ea.containsKey(k)) {
        added.add(v);
        addedText.add(k);
      }
    });
    ArrayNode gone = JsonNodeFactory.instance.arrayNode();
    List<String> goneText = new ArrayList<>();
    ea.forEach((k, v) -> {
      if (!eb.containsKey(k)) {
        gone.add(v);
        goneText.add(k);
      }
    });
    if (!added.isEmpty()) {
      out.add(new RawDiff(ERRORS, DiffKind.GRAPHQL_ERROR, ea.isEmpty() ? null : a.get("errors"), added,
          (added.size() == 1 ? "new error: " : "new errors: ") + String.join("; ", addedText)
              + (ea.isEmpty() ? " (the baseline answered without errors)" : "")));
    }
    if (!gone.isEmpty()) {
      out.add(new RawDiff(ERRORS, DiffKind.GRAPHQL_ERROR_GONE, gone, eb.isEmpty() ? null : b.get("errors"),
          (gone.size() == 1 ? "error gone: " : "errors gone: ") + String.join("; ", goneText)));
    }
    out.addAll(JsonDiff.diff(withoutErrorsAndExtensions(a), withoutErrorsAndExtensions(b)));
  }

  /** Each error by its identity, {@code message (at user.email)}, in order. */
  static Map<String, JsonNode> errors(ObjectNode response) {
    JsonNode errors = response.get("errors");
    Map<String, JsonNode> out = new LinkedHashMap<>();
    if (errors == null || errors.isNull()) {
      return out;
    }
    if (!errors.isArray()) {
      out.put(JsonDiff.preview(errors), errors);
      return out;
    }
    for (JsonNode e : errors) {
      out.putIfAbsent(describe(e), e);
    }
    return out;
  }

  /** {@code Cannot query field "email" on type "User". (at user.email)}. */
  static String describe(JsonNode error) {
    JsonNode m = error.get("message");
    String message = m != null && m.isTextual() ? m.textValue() : JsonDiff.preview(error);
    JsonNode path = error.get("path");
    if (path == null || !path.isArray() || path.isEmpty()) {
      return message;
    }
    StringBuilder p = new StringBuilder();
    for (JsonNode seg : path) {
      if (seg.isIntegralNumber()) {
        p.append('[').append(seg.asText()).append(']');
      } else {
        p.append(p.isEmpty() ? "" : ".").append(seg.asText());
      }
    }
    return message + " (at " + p + ")";
  }

  private static ObjectNode withoutErrorsAndExtensions(ObjectNode n) {
    if (!n.has("errors") && !n.has("extensions")) {
      return n;
    }
    ObjectNode copy = n.deepCopy();
    copy.remove("errors");
    copy.remove("extensions");
    return copy;
  }
}
