package dev.tapline.testgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.endpoint.PathTemplater;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which response values may be asserted literally. A value is stable when it was identical in every
 * sample of an endpoint and status (at least two samples), or when it echoes the request (the same
 * field of the request body, or a query parameter of the same name, in every sample that had one).
 * Ids, timestamps and anything that varied are noise and only covered by the schema.
 */
final class Values {
  static final int MAX_PATHS = 300;
  private static final int MAX_DEPTH = 6;
  /** Field names REST Assured's GPath reads without quoting, minus Groovy's reserved words. */
  private static final Pattern SIMPLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  private static final Set<String> GROOVY_RESERVED = Set.of(
      "as", "assert", "break", "case", "catch", "class", "const", "continue", "def", "default", "do",
      "else", "enum", "extends", "false", "finally", "for", "goto", "if", "implements", "import", "in",
      "instanceof", "interface", "new", "null", "package", "return", "super", "switch", "this",
      "throw", "throws", "trait", "true", "try", "var", "while", "size", "properties", "metaClass");

  private long samples;
  private final TreeMap<String, Slot> slots = new TreeMap<>();
  private final TreeMap<String, Echo> echoes = new TreeMap<>();

  private static final class Slot {
    final String json;
    long count;
    boolean varied;

    Slot(String json) {
      this.json = json;
    }
  }

  private static final class Echo {
    long hits;
    boolean broken;
  }

  void observe(JsonNode response, @Nullable JsonNode requestBody, Map<String, String> query) {
    samples++;
    TreeMap<String, JsonNode> flat = new TreeMap<>();
    flatten(response, "", flat, 0);
    TreeMap<String, JsonNode> req = new TreeMap<>();
    if (requestBody != null) {
      flatten(requestBody, "", req, 0);
    }
    for (Map.Entry<String, JsonNode> e : flat.entrySet()) {
      String path = e.getKey();
      String json = scalarJson(e.getValue());
      Slot s = slots.get(path);
      if (s == null) {
        if (slots.size() < MAX_PATHS) {
          s = new Slot(json);
          slots.put(path, s);
        }
      } else if (!s.json.equals(json)) {
        s.varied = true;
      }
      if (s != null) {
        s.count++;
      }
      String source = null;
      if (req.containsKey(path)) {
        source = scalarJson(req.get(path));
      } else if (!path.contains(".") && query.containsKey(path)) {
        source = query.get(path);
        if (!json.equals(source) && !e.getValue().asText().equals(source)) {
          source = "\u0000mismatch";
        } else {
          source = json;
        }
      }
      if (source != null) {
        Echo echo = echoes.computeIfAbsent(path, k -> new Echo());
        if (source.equals(json)) {
          echo.hits++;
        } else {
          echo.broken = true;
        }
      }
    }
  }

  /** JSON text of a scalar without going through an ObjectMapper (hot path). */
  static String scalarJson(JsonNode n) {
    if (n.isTextual()) {
      return "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance()
          .quoteAsString(n.textValue())) + "\"";
    }
    if (n.isNull()) {
      return "null";
    }
    return n.asText();
  }

  /** Literal assertions for a response: path → JSON text of the expected value. */
  TreeMap<String, String> stable(boolean distinctResources) {
    TreeMap<String, String> out = new TreeMap<>();
    if (samples < 2 || !distinctResources) {
      return out;
    }
    for (Map.Entry<String, Slot> e : slots.entrySet()) {
      Slot s = e.getValue();
      if (!s.varied && s.count == samples && !isNoise(e.getKey(), s.json) && !isCounter(e.getKey(), s.json)) {
        out.put(e.getKey(), s.json);
      }
    }
    return out;
  }

  /** Response paths that always echoed the request (when the request had them). */
  Set<String> echoPaths() {
    TreeMap<String, Boolean> out = new TreeMap<>();
    echoes.forEach((p, e) -> {
      if (!e.broken && e.hits > 0) {
        out.put(p, true);
      }
    });
    return out.keySet();
  }

  static boolean isNoise(String path, String json) {
    String name = path.substring(path.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
    if (name.equals("id") || name.endsWith("id") && name.length() > 2 && !name.endsWith("paid")
        || name.contains("time") || name.endsWith("at") && name.length() > 3 || name.contains("date")
        || name.contains("token") || name.contains("nonce") || name.contains("etag")) {
      return true;
    }
    if (json.startsWith("\"")) {
      String text = json.substring(1, json.length() - 1);
      // A redacted value is no value of the service's: the live one is the secret itself.
      return text.startsWith("[REDACTED")
          || JsonShape.UUID.matcher(text).matches()
          || JsonShape.DATE_TIME.matcher(text).matches()
          || JsonShape.DATE.matcher(text).matches()
          || text.length() >= 16 && PathTemplater.isId(text);
    }
    return false;
  }

  /** Counts of a collection ({@code total: 3}) depend on the data present, not on the contract. */
  static boolean isCounter(String path, String json) {
    String name = path.substring(path.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
    return COUNTERS.contains(name) && json.matches("-?\\d+");
  }

  private static final Set<String> COUNTERS = Set.of("total", "count", "totalcount", "totalelements",
      "totalitems", "totalpages", "totalresults", "numberofelements", "length", "size");

  static boolean isAssertableName(String segment) {
    return SIMPLE_NAME.matcher(segment).matches() && !GROOVY_RESERVED.contains(segment);
  }

  /** Scalars reachable through objects only (GPath-safe names), keyed by dotted path. */
  static void flatten(JsonNode n, String prefix, Map<String, JsonNode> out, int depth) {
    if (!n.isObject() || depth > MAX_DEPTH) {
      return;
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      if (!isAssertableName(e.getKey())) {
        continue;
      }
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode v = e.getValue();
      if (v.isObject()) {
        flatten(v, path, out, depth + 1);
      } else if (v.isValueNode() && !v.isBinary()) {
        if (!v.isTextual() || v.textValue().length() <= 200) {
          out.put(path, v);
        }
      }
    }
  }
}
