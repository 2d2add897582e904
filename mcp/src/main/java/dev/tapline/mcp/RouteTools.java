package dev.tapline.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapline.mcp.ToolSpec.Hints;
import dev.tapline.mcp.ToolSpec.Reply;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code list_routes}, {@code set_route} and {@code remove_route}: the capture proxy's routing table
 * through its admin API. The route body is passed through as given, so what the proxy accepts (an
 * upstream today; override, mock and fault rules as the proxy learns them) is the proxy's to say,
 * and its JSON errors come back to the agent as they are.
 */
final class RouteTools {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_SHOWN = 4000;

  private final AdminClient admin;

  RouteTools(AdminClient admin) {
    this.admin = admin;
  }

  List<ToolSpec> tools() {
    return List.of(list(), set(), remove());
  }

  private ToolSpec list() {
    return ToolSpec.of("list_routes", "List proxy routes",
        "Lists the capture proxy's routes: each routing key and where requests carrying it go (a sandbox upstream,"
            + " and any override rules the proxy reports). Requests without a known key go to the baseline. Use it"
            + " before set_route or check_drift with target and routingKey, to see which sandboxes are reachable.",
        InputSchema.object(), Hints.READ_ONLY, a -> listRoutes());
  }

  private Reply listRoutes() {
    AdminClient.Answer answer = admin.routes();
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
      JsonNode v = e.getValue();
      out.append("  ").append(e.getKey()).append(" -> ").append(v.isTextual() ? v.asText() : Text.line(v.toString(), 600))
          .append('\n');
    }
    out.append("Requests without one of these keys go to the baseline.");
    return Reply.ok(out.toString());
  }

  private ToolSpec set() {
    InputSchema in = InputSchema.object()
        .string("key", "The routing key, e.g. pr-42: requests carrying it (sd-routing-key header or baggage) take this route.")
        .string("upstream", "Where the key's requests go: the sandbox's base URL, e.g. http://127.0.0.1:8082.")
        .any("override", "Override settings for the route, passed to the proxy as given (JSON).")
        .array("rules", "Override, mock or fault rules for the route, passed to the proxy as given (a JSON array);"
            + " the proxy says which it accepts.")
        .require("key");
    return ToolSpec.of("set_route", "Set a proxy route",
        "Creates or replaces the capture proxy's route for one routing key (PUT /routes/{key} on its admin API"
            + " with upstream, override and rules as given), so requests carrying that key reach a sandbox. Setting the"
            + " same route twice leaves the same state. Returns the route as the proxy now holds it, or the proxy's"
            + " own error when it refuses the body.",
        in, new Hints(false, true, true, false), this::setRoute);
  }

  private Reply setRoute(Args a) {
    String key = a.required("key", "\"pr-42\"");
    Map<String, Object> body = new LinkedHashMap<>();
    for (String field : List.of("upstream", "override", "rules")) {
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
    AdminClient.Answer answer = admin.put(key, json);
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
        "Removes the capture proxy's route for one routing key (DELETE /routes/{key} on its admin API): requests"
            + " carrying that key go to the baseline again. Removing a route that is not there is not an error (the"
            + " result says so), so calling it twice is the same as once.",
        in, new Hints(false, true, true, false), this::removeRoute);
  }

  private Reply removeRoute(Args a) {
    String key = a.required("key", "\"pr-42\"");
    AdminClient.Answer answer = admin.delete(key);
    if (answer.status() == 404) {
      return Reply.ok("No route for \"" + key + "\": nothing to remove; its requests already go to the baseline.");
    }
    if (!answer.ok()) {
      throw refused("remove route \"" + key + "\"", answer);
    }
    return Reply.ok("Route \"" + key + "\" removed: requests with that routing key go to the baseline from now on.");
  }

  /** The proxy's own answer, as it said it: its error code and detail when it sent JSON, else the body. */
  private ToolError refused(String what, AdminClient.Answer answer) {
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
