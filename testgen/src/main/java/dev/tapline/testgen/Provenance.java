package dev.tapline.testgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.endpoint.EndpointKey;
import dev.tapline.testgen.Catalog.Endpoint;
import dev.tapline.testgen.Catalog.StatusStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where a value a request needs comes from, by provenance rather than coincidence. A path parameter
 * or a body field that names a resource ({@code {ownerId}} below {@code owners}, a body field {@code
 * ownerId}, {@code owner.id}, {@code type.id}) is fed by the request that creates that resource (a
 * {@code POST} to its collection that answered with an {@code id}), else by reading one first (the
 * first item of its collection's list); never by a recorded value that happens to be equal, since
 * small integers match across tables by accident. When several producers name the resource, the
 * one the recording shows producing the very value wins.
 */
final class Provenance {
  private static final Pattern ID_FIELD = Pattern.compile("(.+?)(?:_id|Id|ID|_ID)");
  private static final int MAX_REF_DEPTH = 3;

  private final Catalog catalog;
  private final Map<String, String> basePaths;
  private final Map<String, @Nullable Producer> cache = new HashMap<>();

  /** How a producer yields the value. */
  enum Kind {
    /** A create request whose answer carries the id. */
    CREATE,
    /** A read of a collection whose first item carries the id. */
    READ
  }

  /**
   * @param extractPath the GPath of the value in the producer's answer ({@code id}, {@code id[0]})
   * @param string whether the value is a string (else a number)
   */
  record Producer(Kind kind, Endpoint endpoint, String extractPath, boolean string) {}

  /**
   * A reference to another resource inside a request body.
   *
   * @param path keys (String) and array indexes (Integer) from the root to the value
   * @param resource the resource it names, lower case ({@code owner}, {@code type})
   */
  record Ref(List<Object> path, String resource, JsonNode value) {}

  Provenance(Catalog catalog, Map<String, String> basePaths) {
    this.catalog = catalog;
    this.basePaths = basePaths;
  }

  /** The resource path parameter {@code i} of {@code ep} names: from its name, else the segment before it. */
  static String resourceOf(Endpoint ep, int i) {
    String name = ep.paramNames.get(i);
    Matcher m = ID_FIELD.matcher(name);
    if (m.matches()) {
      return word(m.group(1));
    }
    String[] segs = ep.key.template().split("/");
    int seen = -1;
    String previous = null;
    for (String seg : segs) {
      if (seg.isEmpty()) {
        continue;
      }
      if (seg.startsWith("{") && seg.endsWith("}")) {
        if (++seen == i) {
          break;
        }
        previous = null;
      } else {
        previous = seg;
      }
    }
    return previous == null ? word(name) : singular(word(previous));
  }

  /** Who produces the values of path parameter {@code i} of {@code consumer}, or null. */
  @Nullable Producer forParam(Endpoint consumer, int i) {
    String key = consumer.key + "#" + i;
    if (cache.containsKey(key)) {
      return cache.get(key);
    }
    String resource = resourceOf(consumer, i);
    String collection = collectionBefore(consumer.key.template(), i);
    Producer p = null;
    // The create request of the very collection the parameter sits in, then any that names the resource.
    Endpoint exact = catalog.endpoints.get(new EndpointKey(consumer.key.service(), "POST", consumer.key.basePath(),
        collection.isEmpty() ? "/" : collection));
    if (exact != null && !exact.key.equals(consumer.key)) {
      p = create(exact);
    }
    if (p == null) {
      p = byResource(consumer.key, resource, valuesOf(consumer, i));
    }
    cache.put(key, p);
    return p;
  }

  /** Who produces the values a body reference names, or null. */
  @Nullable Producer forReference(EndpointKey consumer, Ref ref) {
    return byResource(consumer, ref.resource(), List.of(ref.value().asText()));
  }

  private @Nullable Producer byResource(EndpointKey consumer, String resource, List<String> recordedValues) {
    List<Producer> creates = new ArrayList<>();
    List<Producer> reads = new ArrayList<>();
    for (Endpoint ep : catalog.endpoints.values()) {
      if (!ep.key.service().equals(consumer.service()) || ep.key.equals(consumer)) {
        continue;
      }
      String res = collectionResource(ep.key.template());
      if (res == null || !sameResource(resource, res)) {
        continue;
      }
      if (ep.key.method().equals("POST")) {
        Producer c = create(ep);
        if (c != null) {
          creates.add(c);
        }
      } else if (ep.key.method().equals("GET")) {
        Producer r = read(ep);
        if (r != null) {
          reads.add(r);
        }
      }
    }
    Producer p = confirmed(creates, recordedValues);
    if (p == null) {
      p = confirmed(reads, recordedValues);
    }
    return p;
  }

  /**
   * The GraphQL mutation that creates the resource a variable names: one of the service's
   * mutations whose root field names it ({@code createUser} for {@code user}) and whose answer
   * carries {@code data.<field>.id}.
   */
  @Nullable Producer forGraphql(EndpointKey consumer, String resource) {
    for (Endpoint ep : catalog.endpoints.values()) {
      if (!ep.key.service().equals(consumer.service()) || !"mutation".equals(ep.key.operationType())
          || ep.key.equals(consumer)) {
        continue;
      }
      for (StatusStats st : ep.statuses.values()) {
        JsonShape data = st.body.properties.get("data");
        if (st.status >= 300 || data == null) {
          continue;
        }
        for (Map.Entry<String, JsonShape> f : data.properties.entrySet()) {
          JsonShape id = f.getValue().properties.get("id");
          if (word(f.getKey()).contains(resource) && id != null && id.isRequiredIn(f.getValue())
              && Values.isAssertableName(f.getKey())) {
            return new Producer(Kind.CREATE, ep, "data." + f.getKey() + ".id", id.strings > 0);
          }
        }
      }
    }
    return null;
  }

  /** Of several producers, the one the recording shows producing one of the values; else the first. */
  private @Nullable Producer confirmed(List<Producer> producers, List<String> recordedValues) {
    if (producers.isEmpty()) {
      return null;
    }
    for (String v : recordedValues) {
      for (Producer candidate : producers) {
        if (catalog.producers.containsKey(Catalog.producerKey(candidate.endpoint().key, v))) {
          return candidate;
        }
      }
    }
    producers.sort((a, b) -> Integer.compare(a.endpoint().paramNames.size(), b.endpoint().paramNames.size()));
    return producers.get(0);
  }

  private List<String> valuesOf(Endpoint ep, int i) {
    return new ArrayList<>(ep.paramValues.get(i).values());
  }

  /** A create: POST whose successful JSON answers always carry an {@code id} (or {@code <resource>Id}). */
  private @Nullable Producer create(Endpoint ep) {
    if (!ep.key.method().equals("POST")) {
      return null;
    }
    String res = collectionResource(ep.key.template());
    for (StatusStats st : ep.statuses.values()) {
      if (st.status < 200 || st.status >= 300 || st.jsonBodies == 0 || st.body.objects == 0) {
        continue;
      }
      for (String field : res == null ? List.of("id") : List.of("id", res + "Id", res + "_id")) {
        JsonShape f = st.body.properties.get(field);
        if (f != null && f.isRequiredIn(st.body) && (f.strings > 0 || f.integers > 0)) {
          return new Producer(Kind.CREATE, ep, field, f.strings > 0);
        }
      }
    }
    return null;
  }

  /** A read: GET of a collection whose successful JSON answers list items with an {@code id}. */
  private @Nullable Producer read(Endpoint ep) {
    if (!ep.paramNames.isEmpty() && ep.key.template().endsWith("}")) {
      return null;
    }
    StatusStats st = ep.statuses.get(200);
    if (st == null || st.jsonBodies == 0) {
      return null;
    }
    if (st.body.arrays > 0 && st.body.items != null && idIn(st.body.items)) {
      return new Producer(Kind.READ, ep, "id[0]", isString(st.body.items.properties.get("id")));
    }
    for (Map.Entry<String, JsonShape> e : st.body.properties.entrySet()) {
      JsonShape a = e.getValue();
      if (Values.isAssertableName(e.getKey()) && a.arrays > 0 && a.items != null && idIn(a.items)) {
        return new Producer(Kind.READ, ep, e.getKey() + ".id[0]", isString(a.items.properties.get("id")));
      }
      // HAL: _embedded.<things>
      if (a.objects > 0) {
        for (Map.Entry<String, JsonShape> inner : a.properties.entrySet()) {
          JsonShape ia = inner.getValue();
          if (Values.isAssertableName(e.getKey()) && Values.isAssertableName(inner.getKey()) && ia.arrays > 0
              && ia.items != null && idIn(ia.items)) {
            return new Producer(Kind.READ, ep, e.getKey() + "." + inner.getKey() + ".id[0]",
                isString(ia.items.properties.get("id")));
          }
        }
      }
    }
    return null;
  }

  private static boolean idIn(JsonShape item) {
    JsonShape id = item.properties.get("id");
    return id != null && (id.strings > 0 || id.integers > 0) && id.isRequiredIn(item);
  }

  private static boolean isString(@Nullable JsonShape s) {
    return s == null || s.strings > 0;
  }

  /** The references to other resources in a request body: {@code ownerId}, {@code owner_id}, {@code type: {id}}. */
  static List<Ref> references(JsonNode body) {
    List<Ref> out = new ArrayList<>();
    collect(body, new ArrayList<>(), out, 0);
    return out;
  }

  private static void collect(JsonNode n, List<Object> path, List<Ref> out, int depth) {
    if (depth > MAX_REF_DEPTH) {
      return;
    }
    if (n.isObject()) {
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        String k = e.getKey();
        JsonNode v = e.getValue();
        List<Object> p = new ArrayList<>(path);
        p.add(k);
        Matcher m = ID_FIELD.matcher(k);
        if (isIdValue(v) && m.matches() && !word(m.group(1)).isEmpty()) {
          out.add(new Ref(p, word(m.group(1)), v));
        } else if (v.isObject() && isIdValue(v.get("id")) && !word(k).isEmpty()) {
          List<Object> idPath = new ArrayList<>(p);
          idPath.add("id");
          out.add(new Ref(idPath, singular(word(k)), v.get("id")));
        } else if (v.isArray()) {
          for (int i = 0; i < Math.min(v.size(), 8); i++) {
            JsonNode item = v.get(i);
            if (item.isObject() && isIdValue(item.get("id"))) {
              List<Object> idPath = new ArrayList<>(p);
              idPath.add(i);
              idPath.add("id");
              out.add(new Ref(idPath, singular(word(k)), item.get("id")));
            }
          }
        } else if (v.isObject()) {
          collect(v, p, out, depth + 1);
        }
      }
    }
  }

  private static boolean isIdValue(@Nullable JsonNode v) {
    return v != null && (v.isIntegralNumber() || (v.isTextual() && !v.textValue().isBlank() && v.textValue().length() <= 100));
  }

  /** The resource a collection template names: its last segment, singular, when it is literal. */
  static @Nullable String collectionResource(String template) {
    String t = template.endsWith("/") ? template.substring(0, template.length() - 1) : template;
    int slash = t.lastIndexOf('/');
    String last = t.substring(slash + 1);
    if (last.isEmpty() || last.startsWith("{")) {
      return null;
    }
    return singular(word(last));
  }

  /** The template before parameter {@code i}: {@code /owners/{ownerId}/pets} for {@code {petId}}. */
  static String collectionBefore(String template, int i) {
    StringBuilder prefix = new StringBuilder();
    int seen = -1;
    for (String seg : template.split("/")) {
      if (seg.isEmpty()) {
        continue;
      }
      if (seg.startsWith("{") && seg.endsWith("}") && ++seen == i) {
        break;
      }
      prefix.append('/').append(seg);
    }
    return prefix.toString();
  }

  /** Whether a consumer's resource word and a producer's name the same thing ({@code type} ~ {@code pettype}). */
  static boolean sameResource(String consumer, String producer) {
    if (consumer.equals(producer)) {
      return true;
    }
    return consumer.length() >= 3 && producer.length() >= 3
        && (producer.endsWith(consumer) || consumer.endsWith(producer));
  }

  /** Lower-case letters and digits of a name. */
  static String word(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 128 && Character.isLetterOrDigit(c)) {
        sb.append(Character.toLowerCase(c));
      }
    }
    return sb.toString();
  }

  /** English plural → singular for a lower-case resource word. */
  static String singular(String w) {
    if (w.length() > 3 && w.endsWith("ies")) {
      return w.substring(0, w.length() - 3) + "y";
    }
    if (w.endsWith("sses") || w.endsWith("shes") || w.endsWith("ches") || w.endsWith("xes")) {
      return w.substring(0, w.length() - 2);
    }
    if (w.length() > 1 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) {
      return w.substring(0, w.length() - 1);
    }
    return w.equals("people") ? "person" : w;
  }

  String basePathOf(String service) {
    return basePaths.getOrDefault(service, "");
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
