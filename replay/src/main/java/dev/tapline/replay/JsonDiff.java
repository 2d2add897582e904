package dev.tapline.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Structural and value diff of two JSON trees, baseline first. Objects are compared by key (key
 * order never matters); arrays of the same length item by item (paired by a unique key field such as
 * {@code id} when there is one), arrays of different lengths by the merged shape of their items. The
 * same items in another order are {@link DiffKind#REORDERED}. A field removed and another added with
 * the same value (or, when they are the only ones, the same type) is a rename.
 */
final class JsonDiff {
  private static final Pattern ENUM_LIKE = Pattern.compile("[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*|[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*");
  private static final int PREVIEW = 60;

  private JsonDiff() {}

  static List<RawDiff> diff(JsonNode baseline, JsonNode sandbox) {
    List<RawDiff> out = new ArrayList<>();
    walk("$", baseline, sandbox, false, out);
    return out;
  }

  private static void walk(String path, JsonNode a, JsonNode b, boolean shapeOnly, List<RawDiff> out) {
    boolean aNull = a.isNull() || a.isMissingNode();
    boolean bNull = b.isNull() || b.isMissingNode();
    if (aNull || bNull) {
      if (aNull && !bNull) {
        out.add(new RawDiff(path, DiffKind.NO_LONGER_NULL, NullNode.instance, b, "was null, now " + type(b)));
      } else if (bNull && !aNull) {
        out.add(new RawDiff(path, DiffKind.NOW_NULL, a, NullNode.instance, "was " + type(a) + ", now null"));
      }
      return;
    }
    String ta = type(a);
    String tb = type(b);
    if (!ta.equals(tb)) {
      out.add(new RawDiff(path, DiffKind.TYPE_CHANGED, a, b, "type changed from " + ta + " to " + tb));
      return;
    }
    if (a.isObject()) {
      object(path, (ObjectNode) a, (ObjectNode) b, shapeOnly, out);
    } else if (a.isArray()) {
      array(path, (ArrayNode) a, (ArrayNode) b, shapeOnly, out);
    } else if (!shapeOnly && !scalarEquals(a, b)) {
      boolean enumLike = a.isTextual() && isEnumLike(a.textValue()) && isEnumLike(b.textValue());
      out.add(new RawDiff(path, enumLike ? DiffKind.NEW_ENUM_VALUE : DiffKind.VALUE_CHANGED, a, b,
          (enumLike ? "new value " : "value changed from ") + (enumLike ? preview(b) + " (was " + preview(a) + ")" : preview(a) + " to " + preview(b))));
    }
  }

  private static void object(String path, ObjectNode a, ObjectNode b, boolean shapeOnly, List<RawDiff> out) {
    List<String> removed = null;
    int common = 0;
    for (Map.Entry<String, JsonNode> f : a.properties()) {
      JsonNode bv = b.get(f.getKey());
      if (bv == null) {
        if (removed == null) {
          removed = new ArrayList<>(2);
        }
        removed.add(f.getKey());
      } else {
        common++;
        walk(JsonPaths.field(path, f.getKey()), f.getValue(), bv, shapeOnly, out);
      }
    }
    if (removed == null && common == b.size()) {
      return;
    }
    List<String> added = new ArrayList<>(2);
    if (common < b.size()) {
      for (Map.Entry<String, JsonNode> f : b.properties()) {
        if (!a.has(f.getKey())) {
          added.add(f.getKey());
        }
      }
    }
    if (removed == null) {
      removed = List.of();
    }
    Map<String, String> renames = renames(a, b, removed, added);
    for (String r : removed) {
      String to = renames.get(r);
      if (to != null) {
        out.add(new RawDiff(JsonPaths.field(path, r), DiffKind.FIELD_RENAMED, a.get(r), b.get(to),
            "field renamed to " + to + " (" + r + " is gone)"));
      } else {
        out.add(new RawDiff(JsonPaths.field(path, r), DiffKind.FIELD_REMOVED, a.get(r), null, "field removed"));
      }
    }
    for (String x : added) {
      if (!renames.containsValue(x)) {
        out.add(new RawDiff(JsonPaths.field(path, x), DiffKind.FIELD_ADDED, null, b.get(x), "field added (" + type(b.get(x)) + ")"));
      }
    }
  }

  /** Removed field name → added field name, for the pairs that look like a rename. */
  private static Map<String, String> renames(ObjectNode a, ObjectNode b, List<String> removed, List<String> added) {
    if (removed.isEmpty() || added.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    List<String> freeRemoved = new ArrayList<>();
    List<String> freeAdded = new ArrayList<>(added);
    for (String r : removed) {
      JsonNode av = a.get(r);
      String match = null;
      if (!av.isNull()) {
        for (String x : freeAdded) {
          if (av.equals(b.get(x)) || (av.isValueNode() && b.get(x).isValueNode() && scalarEquals(av, b.get(x)))) {
            match = x;
            break;
          }
        }
      }
      if (match != null) {
        out.put(r, match);
        freeAdded.remove(match);
      } else {
        freeRemoved.add(r);
      }
    }
    // Same type and one name contains the other (customer -> customerName): a rename even when the
    // values differ, as they do for noise and for merged array items.
    for (java.util.Iterator<String> it = freeRemoved.iterator(); it.hasNext(); ) {
      String r = it.next();
      JsonNode av = a.get(r);
      String match = null;
      int matches = 0;
      for (String x : freeAdded) {
        String lr = r.toLowerCase(java.util.Locale.ROOT);
        String lx = x.toLowerCase(java.util.Locale.ROOT);
        if (!av.isNull() && type(av).equals(type(b.get(x))) && (lx.contains(lr) || lr.contains(lx))) {
          match = x;
          matches++;
        }
      }
      if (matches == 1) {
        out.put(r, match);
        freeAdded.remove(match);
        it.remove();
      }
    }
    // One field gone and one new of the same type: a rename whose value is noise (an id, a time).
    if (freeRemoved.size() == 1 && freeAdded.size() == 1) {
      JsonNode av = a.get(freeRemoved.get(0));
      JsonNode bv = b.get(freeAdded.get(0));
      if (!av.isNull() && !bv.isNull() && type(av).equals(type(bv))) {
        out.put(freeRemoved.get(0), freeAdded.get(0));
      }
    }
    return out;
  }

  private static void array(String path, ArrayNode a, ArrayNode b, boolean shapeOnly, List<RawDiff> out) {
    if (a.equals(b)) {
      return;
    }
    String items = JsonPaths.items(path);
    if (a.isEmpty() || b.isEmpty()) {
      if (!shapeOnly) {
        out.add(new RawDiff(path, DiffKind.VALUE_CHANGED, a, b, "had " + a.size() + " items, now " + b.size()));
      }
      return;
    }
    int before = out.size();
    if (a.size() == b.size()) {
      if (sameItems(a, b)) {
        if (!shapeOnly) {
          out.add(new RawDiff(path, DiffKind.REORDERED, null, null, "same items in a different order"));
        }
        return;
      }
      int[] pairs = pairByKey(a, b);
      for (int i = 0; i < a.size(); i++) {
        walk(items, a.get(i), b.get(pairs == null ? i : pairs[i]), shapeOnly, out);
      }
      dedupe(out, before);
      return;
    }
    walk(items, merge(a), merge(b), true, out);
    dedupe(out, before);
    if (!shapeOnly) {
      out.add(new RawDiff(path, DiffKind.VALUE_CHANGED, null, null, "had " + a.size() + " items, now " + b.size()));
    }
  }

  /** Whether {@code d} is an array's item count changing (what {@link #array} reports as "had N items"). */
  static boolean isItemCount(RawDiff d) {
    return d.kind() == DiffKind.VALUE_CHANGED && d.message().startsWith("had ") && d.message().contains(" items, now ");
  }

  /** Item-by-item walks repeat the same difference for every item; keep the first per path and kind. */
  private static void dedupe(List<RawDiff> out, int from) {
    if (out.size() - from < 2) {
      return;
    }
    Map<String, RawDiff> seen = new LinkedHashMap<>();
    for (int i = from; i < out.size(); i++) {
      RawDiff d = out.get(i);
      seen.putIfAbsent(d.path() + '\u0000' + d.kind(), d);
    }
    if (seen.size() == out.size() - from) {
      return;
    }
    List<RawDiff> kept = new ArrayList<>(seen.values());
    out.subList(from, out.size()).clear();
    out.addAll(kept);
  }

  private static boolean sameItems(ArrayNode a, ArrayNode b) {
    Map<JsonNode, Integer> counts = new HashMap<>(a.size() * 2);
    for (JsonNode n : a) {
      counts.merge(n, 1, Integer::sum);
    }
    for (JsonNode n : b) {
      Integer c = counts.get(n);
      if (c == null) {
        return false;
      }
      if (c == 1) {
        counts.remove(n);
      } else {
        counts.put(n, c - 1);
      }
    }
    return counts.isEmpty();
  }

  /**
   * For arrays of objects: {@code pairs[i]} is the index in {@code b} of the item with the same key
   * as {@code a[i]}, using the first field whose values are unique scalars on both sides and match
   * one to one; null when there is no such field (then items pair by index).
   */
  private static int @Nullable [] pairByKey(ArrayNode a, ArrayNode b) {
    if (!a.get(0).isObject()) {
      return null;
    }
    List<String> candidates = new ArrayList<>();
    if (a.get(0).has("id")) {
      candidates.add("id");
    }
    for (Map.Entry<String, JsonNode> f : a.get(0).properties()) {
      if (candidates.size() >= 4) {
        break;
      }
      if (!f.getKey().equals("id") && (f.getValue().isTextual() || f.getValue().isIntegralNumber())) {
        candidates.add(f.getKey());
      }
    }
    for (String key : candidates) {
      Map<JsonNode, Integer> index = keyIndex(b, key);
      if (index == null) {
        continue;
      }
      int[] pairs = new int[a.size()];
      boolean ok = true;
      boolean identity = true;
      java.util.BitSet used = new java.util.BitSet(b.size());
      for (int i = 0; i < a.size() && ok; i++) {
        JsonNode k = a.get(i).get(key);
        Integer j = k == null ? null : index.get(k);
        if (j == null || used.get(j)) {
          ok = false;
        } else {
          used.set(j);
          pairs[i] = j;
          identity &= j == i;
        }
      }
      if (ok) {
        return identity ? null : pairs;
      }
    }
    return null;
  }

  private static @Nullable Map<JsonNode, Integer> keyIndex(ArrayNode arr, String key) {
    Map<JsonNode, Integer> index = new HashMap<>(arr.size() * 2);
    for (int i = 0; i < arr.size(); i++) {
      JsonNode item = arr.get(i);
      JsonNode k = item.isObject() ? item.get(key) : null;
      if (k == null || !(k.isTextual() || k.isIntegralNumber()) || index.put(k, i) != null) {
        return null;
      }
    }
    return index;
  }

  /** One representative item that has every field any item has (first non-null value wins). */
  static JsonNode merge(ArrayNode arr) {
    List<JsonNode> items = new ArrayList<>(arr.size());
    arr.forEach(items::add);
    return mergeAll(items);
  }

  private static JsonNode mergeAll(List<JsonNode> nodes) {
    JsonNode first = null;
    boolean allObjects = true;
    boolean allArrays = true;
    for (JsonNode n : nodes) {
      if (n.isNull()) {
        continue;
      }
      if (first == null) {
        first = n;
      }
      allObjects &= n.isObject();
      allArrays &= n.isArray();
    }
    if (first == null) {
      return NullNode.instance;
    }
    if (nodes.size() == 1 && !first.isContainerNode()) {
      return first;
    }
    if (allObjects) {
      Map<String, List<JsonNode>> fields = new LinkedHashMap<>();
      for (JsonNode n : nodes) {
        for (Map.Entry<String, JsonNode> f : n.properties()) {
          fields.computeIfAbsent(f.getKey(), k -> new ArrayList<>(nodes.size())).add(f.getValue());
        }
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      fields.forEach((k, v) -> out.set(k, mergeAll(v)));
      return out;
    }
    if (allArrays) {
      List<JsonNode> all = new ArrayList<>();
      for (JsonNode n : nodes) {
        n.forEach(all::add);
      }
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      if (!all.isEmpty()) {
        out.add(mergeAll(all));
      }
      return out;
    }
    return first;
  }

  static boolean scalarEquals(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      if (a.isIntegralNumber() && b.isIntegralNumber()) {
        return a.canConvertToLong() && b.canConvertToLong()
            ? a.longValue() == b.longValue()
            : a.bigIntegerValue().equals(b.bigIntegerValue());
      }
      if (a.isDouble() && b.isDouble()) {
        return a.doubleValue() == b.doubleValue();
      }
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  static String type(JsonNode n) {
    return switch (n.getNodeType()) {
      case OBJECT, POJO -> "object";
      case ARRAY -> "array";
      case STRING, BINARY -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      case NULL, MISSING -> "null";
    };
  }

  private static boolean isEnumLike(@Nullable String s) {
    return s != null && !s.isEmpty() && s.length() <= 32 && ENUM_LIKE.matcher(s).matches();
  }

  static String preview(JsonNode n) {
    // Scalars by hand: serializing through the mapper costs more than the whole comparison of a small body.
    String s;
    if (n.isTextual()) {
      String t = n.textValue();
      s = "\"" + (t.length() > PREVIEW ? t.substring(0, PREVIEW) : t) + "\"";
    } else if (n.isValueNode()) {
      s = n.asText();
    } else {
      s = n.toString();
    }
    return s.length() <= PREVIEW ? s : s.substring(0, PREVIEW - 1) + "…";
  }
}
