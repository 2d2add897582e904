package dev.tapline.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapline.core.api.ProxyAdminClient;
import dev.tapline.mcp.ToolSpec.Hints;
import dev.tapline.mcp.ToolSpec.Reply;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code list_routes}, {@code set_route} and {@code remove_route}: the capture proxy's routing table
 * through its admin API (core's {@link ProxyAdminClient}). A route is a sandbox upstream, an
 * override (a local process tried first) and per method and path rules (override, mock, fault); the
 * proxy checks the body, and its JSON errors come back to the agent as they are.
 */
final class RouteTools {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_SHOWN = 4000;

  private final ProxyAdminClient admin;

  RouteTools(ProxyAdminClient admin) {
    this.admin = admin;
  }

  List<ToolSpec> tools() {
    return List.of(list(), set(), remove());
  }

  private ToolSpec list() {
    return ToolSpec.of("list_routes", "List proxy routes",
        "Lists the capture proxy's routes: for each routing key, its sandbox upstream (or the baseline), its override"
            + " and its rules (override, mock, fault by method and path), as set_route takes them. Requests without a"
            + " known key go to the baseline. Use it before set_route (which replaces a route whole) or check_drift"
            + " with target and routingKey, to see which sandboxes are reachable.",
        InputSchema.object(), Hints.READ_ONLY, a -> listRoutes());
  }

  private Reply listRoutes() {
    ProxyAdminClient.Answer answer = call(admin::routes);
    if (!answer.ok()) {
      throw refused("list the routes", answer);
    }
    JsonNode routes = parse(answer.body());
    if (routes == null || !routes.isObject()) {
      return Reply.ok("The proxy's routes (" + admin.base() + "/routes):\n" + Text.line(answer.body(), MAX_SHOWN));
    }
    if (routes.isEmpty()) {
      return Reply.ok("No routes: every request goes to the baseline. set_route adds one for a routing key.");
    }
    StringBuilder out = new StringBuilder(Text.count(routes.size(), "route")).append(" (routing key -> where its requests go):\n");
    for (Map.Entry<String, JsonNode> e : routes.properties()) {
      out.append("  ").append(e.getKey()).append(" -> ").append(describe(e.getValue())).append('\n');
    }
    out.append("Requests without one of these keys go to the baseline. A route's rules come first (the first whose"
        + " method and path match), then its override, then its upstream.");
    return Reply.ok(out.toString());
  }

  /** {@code http://sandbox; override http://dev; rules [...]} from a route's JSON. */
  private static String describe(JsonNode route) {
    if (route.isTextual()) {
      return route.asText();
    }
    StringBuilder b = new StringBuilder(route.path("upstream").asText("baseline"));
    if (route.hasNonNull("override")) {
      b.append("; override ").append(route.get("override").asText());
      if (route.hasNonNull("exceptStatus")) {
        b.append(" except status ").append(route.get("exceptStatus"));
      }
    }
    if (route.hasNonNull("rules")) {
      b.append("; rules ").append(Text.line(route.get("rules").toString(), 1200));
    }
    return b.toString();
  }

  private ToolSpec set() {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("type", "object");
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("method", Map.of("type", "string", "description", "Only requests of this method, e.g. GET; any when absent."));
    props.put("path", Map.of("type", "string", "description", "The path the rule takes, without the query: a glob"
        + " (* within a segment, ** across: /orders/**) or a template (/orders/{id})."));
    props.put("override", Map.of("type", "string", "description", "Send matching requests first to this URL (a local"
        + " process, e.g. http://127.0.0.1:8000); its answer is used when it has the header sd-override: true, else"
        + " (or when it is down) the request goes to the route's upstream."));
    props.put("exceptStatus", Map.of("type", "array", "items", Map.of("type", "integer"), "description", "With"
        + " override: use the override's answer unless its status is one of these, e.g. [404, 501], with no header"
        + " needed."));
    props.put("mock", Map.of("type", "object", "description", "Answer without any upstream: {\"status\": 200,"
        + " \"headers\": {\"content-type\": \"application/json\"}, \"body\": \"...\" or a JSON value}, or the response of"
        + " a recorded exchange: {\"exchange\": \"<id from search_traffic>\"} or {\"exchange\": \"latest\"} (the newest"
        + " of the request's endpoint)."));
    props.put("fault", Map.of("type", "object", "description", "Inject a fault: {\"status\": 503} answers that"
        + " status, {\"delayMs\": 2000} adds latency before the upstream, {\"reset\": true} resets the connection;"
        + " \"share\": 0.1 applies it to a tenth of matching requests (the rest go on to the next rule)."));
    rule.put("properties", props);
    rule.put("required", List.of("path"));
    rule.put("additionalProperties", false);
    InputSchema in = InputSchema.object()
        .string("key", "The routing key, e.g. pr-42: requests carrying it (sd-routing-key header or baggage) take this route.")
        .string("upstream", "Where the key's requests go normally: the sandbox's base URL, e.g. http://127.0.0.1:8082."
            + " Without it they go to the baseline.")
        .string("override", "A local process every request of the key tries first, e.g. http://127.0.0.1:8000 (a"
            + " developer's build through a tunnel): its answer is used when it has sd-override: true, else the"
            + " request goes to upstream (or the baseline).")
        .integers("exceptStatus", "With override: use the override's answer unless its status is one of these, e.g."
            + " [404].")
        .array("rules", "Per method and path rules, tried in order before override and upstream; the first that"
            + " matches a request takes it.", rule)
        .require("key");
    return ToolSpec.of("set_route", "Set a proxy route",
        "Creates or replaces, as a whole, the capture proxy's route for one routing key (PUT /routes/{key} on its admin"
            + " API): an upstream (the sandbox), an override (a local process tried first, kept only when it answers"
            + " with sd-override: true), and rules that override, mock or fault requests by method and path. Give"
            + " every part the route should keep (list_routes shows the current one). Captured exchanges say which"
            + " target answered (override:<url>, mock, fault, sandbox:<key>, baseline). Setting the same route twice"
            + " leaves the same state. Returns the route as the proxy now holds it, or the proxy's own error.",
        in, new Hints(false, true, true, false), this::setRoute);
  }

  private Reply setRoute(Args a) {
    String key = a.required("key", "\"pr-42\"");
    Map<String, Object> body = new LinkedHashMap<>();
    for (String field : List.of("upstream", "override", "exceptStatus", "rules")) {
      Object v = a.raw(field);
      if (v != null) {
        body.put(field, v instanceof String s ? s.strip() : v);
      }
    }
    if (body.isEmpty()) {
      throw new ToolError("set_route needs upstream (e.g. \"http://127.0.0.1:8082\"), override or rules for route \""
          + key + "\".");
    }
    String json;
    try {
      json = JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new ToolError("The route body cannot be written as JSON: " + e.getOriginalMessage());
    }
    ProxyAdminClient.Answer answer = call(() -> admin.put(key, json));
    if (!answer.ok()) {
      throw refused("set route \"" + key + "\"", answer);
    }
    String what = answer.status() == 201 ? "added" : "replaced (or set again)";
    return Reply.ok("Route \"" + key + "\" " + what + "; the proxy now holds: " + Text.line(answer.body(), MAX_SHOWN)
        + "\nRequests with routing key " + key + " take it from the next request on.");
  }

  private ToolSpec remove() {
    InputSchema in = InputSchema.object()
        .string("key", "The routing key whose route to remove, e.g. pr-42.")
        .require("key");
    return ToolSpec.of("remove_route", "Remove a proxy route",
        "Removes the capture proxy's route for one routing key (DELETE /routes/{key} on its admin API), with its"
            + " override and rules: requests carrying that key go to the baseline again. Removing a route that is not"
            + " there is not an error (the result says so), so calling it twice is the same as once.",
        in, new Hints(false, true, true, false), this::removeRoute);
  }

  private Reply removeRoute(Args a) {
    String key = a.required("key", "\"pr-42\"");
    ProxyAdminClient.Answer answer = call(() -> admin.delete(key));
    if (answer.status() == 404) {
      return Reply.ok("No route for \"" + key + "\": nothing to remove; its requests already go to the baseline.");
    }
    if (!answer.ok()) {
      throw refused("remove route \"" + key + "\"", answer);
    }
    return Reply.ok("Route \"" + key + "\" removed: requests with that routing key go to the baseline from now on.");
  }

  private interface AdminCall {
    ProxyAdminClient.Answer send() throws IOException;
  }

  private ProxyAdminClient.Answer call(AdminCall c) {
    try {
      return c.send();
    } catch (IOException e) {
      throw new ToolError(Text.sentence(e.getMessage()) + " Is the capture proxy running with an admin port, and is"
          + " that the URL tapline mcp was given with --admin?");
    }
  }

  /** The proxy's own answer, as it said it: its error code and detail when it sent JSON, else the body. */
  private ToolError refused(String what, ProxyAdminClient.Answer answer) {
    JsonNode n = parse(answer.body());
    String said = n != null && n.isObject() && n.has("detail")
        ? n.path("error").asText("error") + ": " + n.path("detail").asText()
        : Text.line(answer.body(), 600);
    return new ToolError("The proxy did not " + what + ": HTTP " + answer.status() + (said.isBlank() ? "" : " " + said)
        + (n != null && n.isObject() ? "\nIts answer: " + Text.line(answer.body(), MAX_SHOWN) : ""));
  }

  private static @Nullable JsonNode parse(String body) {
    try {
      return body.isBlank() ? null : JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
