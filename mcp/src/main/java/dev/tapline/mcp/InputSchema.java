package dev.tapline.mcp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tool's JSON input schema, built field by field; every field has a description, since that is
 * what an agent reads to fill it in.
 *
 * <pre>{@code
 * InputSchema s = InputSchema.object()
 *     .string("query", "Lucene query, e.g. status:5xx")
 *     .integer("limit", "How many, 1-100 (default 20).", 1, 100)
 *     .require("query");
 * }</pre>
 */
final class InputSchema {
  private final Map<String, Object> properties = new LinkedHashMap<>();
  private final List<String> required = new ArrayList<>();

  private InputSchema() {}

  static InputSchema object() {
    return new InputSchema();
  }

  InputSchema string(String name, String description) {
    return field(name, Map.of("type", "string", "description", description));
  }

  InputSchema enumeration(String name, String description, List<String> values) {
    return field(name, Map.of("type", "string", "enum", values, "description", description));
  }

  InputSchema integer(String name, String description, int min, int max) {
    return field(name, Map.of("type", "integer", "minimum", min, "maximum", max, "description", description));
  }

  InputSchema strings(String name, String description) {
    return field(name, Map.of("type", "array", "items", Map.of("type", "string"), "description", description));
  }

  /** A field that takes any JSON value: passed through as it is. */
  InputSchema any(String name, String description) {
    return field(name, Map.of("description", description));
  }

  InputSchema array(String name, String description) {
    return field(name, Map.of("type", "array", "description", description));
  }

  /** An array whose items follow {@code items} (a JSON schema as a map). */
  InputSchema array(String name, String description, Map<String, Object> items) {
    return field(name, Map.of("type", "array", "items", items, "description", description));
  }

  InputSchema integers(String name, String description) {
    return field(name, Map.of("type", "array", "items", Map.of("type", "integer"), "description", description));
  }

  InputSchema require(String... names) {
    for (String n : names) {
      if (!properties.containsKey(n)) {
        throw new IllegalArgumentException("required field is not a property: " + n);
      }
      required.add(n);
    }
    return this;
  }

  private InputSchema field(String name, Map<String, Object> spec) {
    if (properties.put(name, spec) != null) {
      throw new IllegalArgumentException("field given twice: " + name);
    }
    return this;
  }

  Set<String> names() {
    return properties.keySet();
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "object");
    m.put("properties", new LinkedHashMap<>(properties));
    if (!required.isEmpty()) {
      m.put("required", List.copyOf(required));
    }
    m.put("additionalProperties", false);
    return m;
  }
}
