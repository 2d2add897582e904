package dev.tapline.testgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The shape of a JSON value merged over every sample: which types occurred, which properties were
 * present in every object, what array items look like, which string formats held throughout. Its
 * size is bounded by the shape (and {@link #MAX_PROPERTIES}), never by the number of samples.
 */
final class JsonShape {
  static final int MAX_PROPERTIES = 200;
  private static final int MAX_DEPTH = 24;
  static final Pattern UUID = Pattern.compile(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  static final Pattern DATE_TIME = Pattern.compile(
      "^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$");
  static final Pattern DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}$");
  static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
  static final Pattern URI = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s]+$");

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  long seen;
  long nulls;
  long booleans;
  long integers;
  long decimals;
  long strings;
  long objects;
  long arrays;
  long present; // objects of the parent in which this property occurred
  boolean allUuid = true;
  boolean allDateTime = true;
  boolean allDate = true;
  boolean allEmail = true;
  boolean allUri = true;
  boolean openEnded;
  final TreeMap<String, JsonShape> properties = new TreeMap<>();
  @Nullable JsonShape items;

  void merge(JsonNode n) {
    merge(n, 0);
  }

  private void merge(JsonNode n, int depth) {
    seen++;
    switch (n.getNodeType()) {
      case NULL, MISSING -> nulls++;
      case BOOLEAN -> booleans++;
      case NUMBER -> {
        if (n.isIntegralNumber()) {
          integers++;
        } else {
          decimals++;
        }
      }
      case STRING -> {
        strings++;
        String s = n.textValue();
        // Cheap shape checks first: most strings fail them, and regexes are the hot path here.
        if (allUuid) allUuid = s.length() == 36 && s.charAt(8) == '-' && UUID.matcher(s).matches();
        if (allDateTime) allDateTime = s.length() >= 20 && s.charAt(4) == '-' && DATE_TIME.matcher(s).matches();
        if (allDate) allDate = s.length() == 10 && s.charAt(4) == '-' && DATE.matcher(s).matches();
        if (allEmail) allEmail = s.indexOf('@') > 0 && EMAIL.matcher(s).matches();
        if (allUri) allUri = s.indexOf("://") > 0 && URI.matcher(s).matches();
      }
      case OBJECT -> {
        objects++;
        if (depth >= MAX_DEPTH) {
          openEnded = true;
          return;
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
          JsonShape child = properties.get(e.getKey());
          if (child == null) {
            if (properties.size() >= MAX_PROPERTIES) {
              openEnded = true;
              continue;
            }
            child = new JsonShape();
            properties.put(e.getKey(), child);
          }
          child.present++;
          child.merge(e.getValue(), depth + 1);
        }
      }
      case ARRAY -> {
        arrays++;
        if (depth >= MAX_DEPTH) {
          return;
        }
        for (JsonNode item : n) {
          if (items == null) {
            items = new JsonShape();
          }
          items.merge(item, depth + 1);
        }
      }
      default -> strings++; // binary/POJO nodes do not occur in parsed JSON
    }
  }

  /** Type names in a fixed order; integer folds into number when decimals occurred too. */
  List<String> types() {
    List<String> t = new ArrayList<>(3);
    if (objects > 0) t.add("object");
    if (arrays > 0) t.add("array");
    if (strings > 0) t.add("string");
    if (decimals > 0) {
      t.add("number");
    } else if (integers > 0) {
      t.add("integer");
    }
    if (booleans > 0) t.add("boolean");
    if (nulls > 0) t.add("null");
    return t;
  }

  boolean isRequiredIn(JsonShape parent) {
    return present == parent.objects;
  }

  /** The string format that held for every string sample, or null. */
  @Nullable String format() {
    if (strings == 0) return null;
    if (allUuid) return "uuid";
    if (allDateTime) return "date-time";
    if (allDate) return "date";
    if (allEmail) return "email";
    if (allUri) return "uri";
    return null;
  }

  /** JSON Schema draft-04 (what REST Assured's json-schema-validator checks). */
  ObjectNode toDraft04(boolean root) {
    ObjectNode s = F.objectNode();
    if (root) {
      s.put("$schema", "http://json-schema.org/draft-04/schema#");
    }
    fill(s, true);
    return s;
  }

  /** An OpenAPI 3.1 (JSON Schema 2020-12) schema. */
  ObjectNode toOpenApi31() {
    ObjectNode s = F.objectNode();
    fill(s, false);
    return s;
  }

  private void fill(ObjectNode s, boolean draft04) {
    List<String> types = types();
    if (types.size() == 1) {
      s.put("type", types.get(0));
    } else if (!types.isEmpty()) {
      ArrayNode a = s.putArray("type");
      types.forEach(a::add);
    }
    String format = format();
    if (format != null) {
      switch (format) {
        // draft-04 knows neither uuid nor date: a pattern says the same thing portably.
        case "uuid" -> {
          if (draft04) s.put("pattern", UUID.pattern()); else s.put("format", "uuid");
        }
        case "date" -> {
          if (draft04) s.put("pattern", DATE.pattern()); else s.put("format", "date");
        }
        default -> s.put("format", format);
      }
    }
    if (objects > 0 && !properties.isEmpty()) {
      ObjectNode props = s.putObject("properties");
      ArrayNode required = F.arrayNode();
      for (Map.Entry<String, JsonShape> e : properties.entrySet()) {
        props.set(e.getKey(), e.getValue().childSchema(draft04));
        if (!openEnded && e.getValue().isRequiredIn(this)) {
          required.add(e.getKey());
        }
      }
      if (!required.isEmpty()) {
        s.set("required", required);
      }
    }
    if (arrays > 0 && items != null) {
      s.set("items", items.childSchema(draft04));
    }
  }

  private ObjectNode childSchema(boolean draft04) {
    ObjectNode c = F.objectNode();
    fill(c, draft04);
    return c;
  }

  /** A compact signature of one value's shape (not merged): what de-duplicates scenarios. */
  static String signature(@Nullable JsonNode n) {
    StringBuilder sb = new StringBuilder();
    sig(n, sb, 0);
    return sb.length() > 400 ? "#" + Integer.toHexString(sb.toString().hashCode()) + sb.length() : sb.toString();
  }

  private static void sig(@Nullable JsonNode n, StringBuilder sb, int depth) {
    if (n == null || depth > 8 || sb.length() > 2000) {
      sb.append('?');
      return;
    }
    switch (n.getNodeType()) {
      case NULL, MISSING -> sb.append('z');
      case BOOLEAN -> sb.append('b');
      case NUMBER -> sb.append(n.isIntegralNumber() ? 'i' : 'n');
      case STRING -> sb.append('s');
      case OBJECT -> {
        sb.append('{');
        TreeMap<String, JsonNode> sorted = new TreeMap<>();
        n.properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
        boolean first = true;
        for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
          if (!first) sb.append(',');
          first = false;
          sb.append(e.getKey()).append(':');
          sig(e.getValue(), sb, depth + 1);
        }
        sb.append('}');
      }
      case ARRAY -> {
        sb.append('[');
        if (!n.isEmpty()) {
          sig(n.get(0), sb, depth + 1);
        }
        sb.append(']');
      }
      default -> sb.append('?');
    }
  }
}
