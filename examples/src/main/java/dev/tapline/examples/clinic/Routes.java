package dev.tapline.examples.clinic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Path templates below the context path ({@code /owners/{ownerId}/pets}) and the handler of each
 * method on them. A path that matches a template but not a method is a 405; matching is exact, so a
 * trailing slash or an empty segment is a 404, as in Spring 6.
 */
final class Routes {
  /** One request as a handler sees it. Path variables are already ints, in template order. */
  record Call(List<Integer> ids, @Nullable ObjectNode body, Map<String, String> query, Views views) {
    int id(int i) {
      return ids.get(i);
    }

    Fields fields() {
      if (body == null) {
        throw new IllegalStateException("no request body for this method");
      }
      return new Fields(body);
    }
  }

  /** A handler's answer; {@code location} is a path below the context path. */
  record Reply(int status, @Nullable JsonNode body, @Nullable String location) {
    static Reply ok(JsonNode body) {
      return new Reply(200, body, null);
    }

    static Reply created(JsonNode body, String location) {
      return new Reply(201, body, location);
    }

    static Reply noContent() {
      return new Reply(204, null, null);
    }
  }

  @FunctionalInterface
  interface Handler {
    Reply handle(Call call);
  }

  static final class Route {
    private final String template;
    private final String[] segments;
    private final Map<String, Handler> methods = new LinkedHashMap<>();

    private Route(String template) {
      this.template = template;
      this.segments = template.substring(1).split("/");
    }

    Route on(String method, Handler handler) {
      methods.put(method, handler);
      return this;
    }

    @Nullable Handler handler(String method) {
      return methods.get(method);
    }

    String allow() {
      return String.join(", ", methods.keySet());
    }

    /** The raw path variables, or {@code null} when {@code parts} is not this template. */
    private @Nullable List<String> variables(String[] parts) {
      if (parts.length != segments.length) {
        return null;
      }
      List<String> vars = new ArrayList<>();
      for (int i = 0; i < parts.length; i++) {
        if (parts[i].isEmpty()) {
          return null;
        }
        if (segments[i].startsWith("{")) {
          vars.add(parts[i]);
        } else if (!segments[i].equals(parts[i])) {
          return null;
        }
      }
      return vars;
    }
  }

  record Match(Route route, List<String> variables) {}

  private final List<Route> routes = new ArrayList<>();

  Route route(String template) {
    Route r = new Route(template);
    routes.add(r);
    return r;
  }

  /** Every operation served, as {@code METHOD /template}, in registration order. */
  List<String> operations() {
    List<String> out = new ArrayList<>();
    routes.forEach(r -> r.methods.keySet().forEach(m -> out.add(m + " " + r.template)));
    return out;
  }

  /** @param path below the context path, starting with {@code /} */
  @Nullable Match match(String path) {
    String[] parts = path.substring(1).split("/", -1);
    for (Route r : routes) {
      List<String> vars = r.variables(parts);
      if (vars != null) {
        return new Match(r, vars);
      }
    }
    return null;
  }
}
