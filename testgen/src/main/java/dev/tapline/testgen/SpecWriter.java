package dev.tapline.testgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tapline.core.endpoint.EndpointKey;
import dev.tapline.testgen.Catalog.Endpoint;
import dev.tapline.testgen.Catalog.StatusStats;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** An OpenAPI 3.1 document inferred from the catalog: paths, parameters, schemas, examples. */
final class SpecWriter {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .build());

  private SpecWriter() {}

  static String yaml(Catalog catalog, String source) {
    ObjectNode root = F.objectNode();
    root.put("openapi", "3.1.0");
    ObjectNode info = root.putObject("info");
    TreeSet<String> services = new TreeSet<>();
    catalog.endpoints.keySet().forEach(k -> services.add(k.service()));
    info.put("title", services.isEmpty() ? "Inferred API" : String.join(", ", services));
    info.put("description", "Inferred by Tapline from " + source + ".");
    info.put("version", "0.0.0");
    ObjectNode paths = root.putObject("paths");
    TreeMap<String, TreeMap<EndpointKey, Endpoint>> byTemplate = new TreeMap<>();
    for (Endpoint ep : catalog.endpoints.values()) {
      byTemplate.computeIfAbsent(ep.key.path(), t -> new TreeMap<>()).put(ep.key, ep);
    }
    Set<String> operationIds = new HashSet<>();
    for (Map.Entry<String, TreeMap<EndpointKey, Endpoint>> e : byTemplate.entrySet()) {
      ObjectNode item = paths.putObject(e.getKey().isEmpty() ? "/" : e.getKey());
      for (Endpoint ep : e.getValue().values()) {
        String method = ep.key.method().toLowerCase(java.util.Locale.ROOT);
        if (item.has(method) || !Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace").contains(method)) {
          continue; // the same operation in another service, or a method OpenAPI cannot describe
        }
        item.set(method, operation(ep, operationIds));
      }
    }
    try {
      return YAML.writeValueAsString(root);
    } catch (Exception ex) {
      throw new IllegalStateException("cannot write YAML", ex);
    }
  }

  private static ObjectNode operation(Endpoint ep, Set<String> operationIds) {
    ObjectNode op = F.objectNode();
    String id = ep.operationId != null ? ep.operationId : Names.testMethod(ep.key, null, 0).replace("_returns0", "");
    String unique = id;
    for (int i = 2; !operationIds.add(unique); i++) {
      unique = id + i;
    }
    op.put("operationId", unique);
    op.put("summary", ep.key.display() + " (" + ep.count + " recorded exchanges, service " + ep.key.service() + ")");
    ArrayNode params = F.arrayNode();
    for (int i = 0; i < ep.paramNames.size(); i++) {
      ObjectNode p = params.addObject();
      p.put("name", ep.paramNames.get(i));
      p.put("in", "path");
      p.put("required", true);
      ObjectNode schema = p.putObject("schema");
      schema.put("type", "string");
      String example = null;
      for (String v : new TreeSet<>(ep.paramValues.get(i).values())) {
        example = v;
        break;
      }
      if (example != null) {
        if (JsonShape.UUID.matcher(example).matches()) {
          schema.put("format", "uuid");
        }
        p.put("example", example);
      }
    }
    for (Map.Entry<String, Long> q : ep.queryNames.entrySet()) {
      ObjectNode p = params.addObject();
      p.put("name", q.getKey());
      p.put("in", "query");
      p.put("required", q.getValue() == ep.count);
      p.putObject("schema").put("type", "string");
    }
    if (!params.isEmpty()) {
      op.set("parameters", params);
    }
    if (ep.jsonRequests > 0) {
      ObjectNode body = op.putObject("requestBody");
      ObjectNode media = body.putObject("content").putObject(
          ep.requestMimes.stream().filter(m -> Catalog.isJsonMime(m)).findFirst().orElse("application/json"));
      media.set("schema", ep.requestShape.toOpenApi31());
      String example = firstRequestExample(ep);
      if (example != null) {
        JsonNode ex = Catalog.parse(example);
        if (ex != null) {
          media.set("example", ex);
        }
      }
    }
    ObjectNode responses = op.putObject("responses");
    for (StatusStats st : ep.statuses.values()) {
      ObjectNode r = responses.putObject(Integer.toString(st.status));
      r.put("description", "Recorded " + st.count + " time(s).");
      if (st.jsonBodies > 0) {
        ObjectNode media = r.putObject("content").putObject(
            st.mimes.stream().filter(Catalog::isJsonMime).findFirst().orElse("application/json"));
        media.set("schema", st.body.toOpenApi31());
        for (Candidate c : st.candidates.values().stream().sorted((a, b) -> a.exchangeId().compareTo(b.exchangeId())).toList()) {
          JsonNode ex = c.responseBody() == null ? null : Catalog.parse(c.responseBody());
          if (ex != null) {
            media.set("example", ex);
            break;
          }
        }
      } else if (!st.mimes.isEmpty()) {
        r.putObject("content").putObject(st.mimes.first()).putObject("schema").put("type", "string");
      }
    }
    return op;
  }

  private static String firstRequestExample(Endpoint ep) {
    String best = null;
    String bestId = null;
    for (StatusStats st : ep.statuses.values()) {
      if (st.status >= 300) {
        continue;
      }
      for (Candidate c : st.candidates.values()) {
        if (c.requestBody() != null && !c.binaryRequest() && (bestId == null || c.exchangeId().compareTo(bestId) < 0)) {
          best = c.requestBody();
          bestId = c.exchangeId();
        }
      }
    }
    return best;
  }
}
