package dev.tapline.testgen;

import dev.tapline.core.endpoint.EndpointKey;
import dev.tapline.core.endpoint.OpenApiSpec.Op;
import dev.tapline.core.endpoint.OpenApiSpec;
import dev.tapline.testgen.Catalog.Endpoint;
import dev.tapline.testgen.Catalog.StatusStats;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Where recorded traffic contradicts an OpenAPI document ({@code tapline-report.md}): undocumented
 * endpoints, statuses, bodies and fields, type mismatches, missing required fields, and which
 * operations have traffic and tests.
 */
final class SpecReport {
  private final OpenApiSpec spec;
  private final OpenAPI api;

  SpecReport(OpenApiSpec spec) {
    this.spec = spec;
    this.api = spec.api();
  }

  /** {@code DIR/tapline-report.md}: contradictions between traffic and spec, and operation coverage. */
  String report(Catalog catalog, Map<EndpointKey, Integer> tests) {
    List<String> contradictions = new ArrayList<>();
    TreeMap<String, long[]> coverage = new TreeMap<>();
    for (Endpoint ep : catalog.endpoints.values()) {
      Op op = ep.key.basePath().equals(spec.basePath()) ? spec.operation(ep.key.method(), ep.key.template()) : null;
      String where = "`" + ep.key.display() + "`";
      if (op == null) {
        contradictions.add("Undocumented endpoint: " + where + " (" + ep.count + " exchanges)");
        continue;
      }
      long[] c = coverage.computeIfAbsent(opKey(op), k -> new long[2]);
      c[0] += ep.count;
      c[1] += tests.getOrDefault(ep.key, 0);
      for (StatusStats st : ep.statuses.values()) {
        ApiResponse declared = response(op.operation(), st.status);
        if (declared == null) {
          contradictions.add("Undocumented status: " + where + " → " + st.status + " (" + st.count + " exchanges)");
          continue;
        }
        if (st.jsonBodies == 0) {
          continue;
        }
        Schema<?> schema = jsonSchema(declared);
        if (schema == null) {
          if (declared.getContent() == null || declared.getContent().isEmpty()) {
            contradictions.add("Undocumented body: " + where + " → " + st.status + " has a JSON body, the spec declares none");
          }
          continue;
        }
        compare(schema, st.body, "", where + " → " + st.status, contradictions, 0);
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append("# Tapline contract report\n\n");
    sb.append("Spec: `").append(mdCode(spec.name())).append("`");
    if (api.getInfo() != null && api.getInfo().getTitle() != null) {
      sb.append(" (").append(mdText(api.getInfo().getTitle()));
      if (api.getInfo().getVersion() != null) {
        sb.append(" ").append(mdText(api.getInfo().getVersion()));
      }
      sb.append(")");
    }
    sb.append(". Traffic: ").append(catalog.accepted).append(" exchanges over ")
        .append(catalog.endpoints.size()).append(" endpoints.\n\n");
    sb.append("## Traffic that contradicts the spec\n\n");
    if (contradictions.isEmpty()) {
      sb.append("None: every recorded exchange matches the spec.\n");
    } else {
      for (String c : contradictions) {
        sb.append("- ").append(c).append('\n');
      }
    }
    sb.append("\n## Operation coverage\n\n");
    sb.append("| operation | exchanges | tests |\n| --- | ---: | ---: |\n");
    int covered = 0;
    TreeSet<String> all = new TreeSet<>();
    for (Op op : spec.operations()) {
      all.add(opKey(op));
    }
    for (String k : all) {
      long[] c = coverage.getOrDefault(k, new long[2]);
      if (c[0] > 0) covered++;
      sb.append("| ").append(k).append(" | ").append(c[0]).append(" | ").append(c[1]).append(" |\n");
    }
    sb.append("\n").append(covered).append(" of ").append(all.size()).append(" operations have traffic");
    List<String> without = new ArrayList<>();
    for (String k : all) {
      if (!coverage.containsKey(k)) without.add(k);
    }
    sb.append(without.isEmpty() ? ".\n" : "; without traffic (no tests): " + String.join(", ", without) + ".\n");
    return sb.toString();
  }

  private static String opKey(Op op) {
    return "`" + mdCode(op.method() + " " + op.basePath() + op.template()) + "`"
        + (op.operationId() == null ? "" : " (" + mdText(op.operationId()) + ")");
  }

  private static @Nullable ApiResponse response(Operation op, int status) {
    if (op.getResponses() == null) {
      return null;
    }
    ApiResponse r = op.getResponses().get(Integer.toString(status));
    if (r == null) {
      r = op.getResponses().get((status / 100) + "XX");
    }
    if (r == null) {
      r = op.getResponses().get((status / 100) + "xx");
    }
    if (r == null) {
      r = op.getResponses().get("default");
    }
    return r;
  }

  private static @Nullable Schema<?> jsonSchema(ApiResponse r) {
    if (r.getContent() == null) {
      return null;
    }
    for (Map.Entry<String, MediaType> e : new TreeMap<>(r.getContent()).entrySet()) {
      if (Catalog.isJsonMime(Catalog.mime(e.getKey())) || e.getKey().equals("*/*")) {
        return e.getValue().getSchema();
      }
    }
    return null;
  }

  private static Set<String> declaredTypes(Schema<?> s) {
    TreeSet<String> t = new TreeSet<>();
    if (s.getTypes() != null) {
      t.addAll(s.getTypes());
    }
    if (s.getType() != null) {
      t.add(s.getType());
    }
    if (Boolean.TRUE.equals(s.getNullable())) {
      t.add("null");
    }
    return t;
  }

  @SuppressWarnings("rawtypes") // swagger's Schema.getProperties() is Map<String, Schema>
  private static void compare(Schema<?> declared, JsonShape seen, String path, String where,
      List<String> out, int depth) {
    if (depth > 12 || declared.getAllOf() != null || declared.getOneOf() != null || declared.getAnyOf() != null) {
      return; // composed schemas: not checked field by field
    }
    Set<String> allowed = declaredTypes(declared);
    String at = path.isEmpty() ? "the body" : "`" + mdCode(path) + "`";
    if (!allowed.isEmpty()) {
      List<String> bad = new ArrayList<>();
      for (String t : seen.types()) {
        boolean ok = allowed.contains(t) || t.equals("integer") && allowed.contains("number");
        if (!ok) bad.add(t);
      }
      if (!bad.isEmpty()) {
        out.add("Type mismatch: " + where + ": " + at + " is " + String.join("/", bad)
            + " in the traffic, the spec says " + String.join("/", allowed));
        return;
      }
    }
    if (seen.objects > 0) {
      Map<String, Schema> props = declared.getProperties() == null ? Map.of() : declared.getProperties();
      for (Map.Entry<String, JsonShape> e : seen.properties.entrySet()) {
        String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        Schema<?> d = props.get(e.getKey());
        if (d == null) {
          if (!props.isEmpty() || declared.getAdditionalProperties() == null) {
            out.add("Undocumented field: " + where + ": `" + mdCode(child) + "`");
          }
        } else {
          compare(d, e.getValue(), child, where, out, depth + 1);
        }
      }
      if (declared.getRequired() != null) {
        for (String req : new TreeSet<>(declared.getRequired())) {
          JsonShape s = seen.properties.get(req);
          if (s == null || !s.isRequiredIn(seen)) {
            String child = path.isEmpty() ? req : path + "." + req;
            out.add("Missing required field: " + where + ": `" + mdCode(child) + "` is absent in "
                + (seen.objects - (s == null ? 0 : s.present)) + " of " + seen.objects + " samples");
          }
        }
      }
    }
    if (seen.arrays > 0 && seen.items != null && declared.getItems() != null) {
      compare(declared.getItems(), seen.items, path + "[]", where, out, depth + 1);
    }
  }

  static String mdCode(String s) {
    return JavaLiterals.comment(s).replace("`", "'").replace("|", "\\|");
  }

  static String mdText(String s) {
    return JavaLiterals.comment(s).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
  }
}
