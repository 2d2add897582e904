package dev.tapline.mcp;

import dev.tapline.core.api.EndpointStats;
import dev.tapline.core.api.ExchangeSummary;
import dev.tapline.core.api.Page;
import dev.tapline.core.api.RecorderClient.RecorderException;
import dev.tapline.core.api.RecorderClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The recorder as the tools use it: core's {@link RecorderClient}, with its failures turned into
 * {@link ToolError}s that say what to do, and the hints an empty answer needs (which services and
 * routing keys have traffic).
 */
final class Recorder {
  private static final int ROUTING_KEY_SAMPLE = 200;

  final RecorderClient client;

  Recorder(RecorderClient client) {
    this.client = client;
  }

  Page search(@Nullable String q, int limit, @Nullable String cursor) {
    try {
      return client.search(q, limit, cursor);
    } catch (IOException e) {
      throw failure(e, q);
    }
  }

  List<EndpointStats> endpoints(@Nullable String service, @Nullable String routingKey) {
    try {
      return client.endpoints(service, routingKey);
    } catch (IOException e) {
      throw failure(e, null);
    }
  }

  /** Services with any recorded traffic, sorted; empty when the recorder cannot say. */
  List<String> servicesSeen() {
    try {
      TreeSet<String> s = new TreeSet<>();
      client.endpoints(null, null).forEach(e -> s.add(e.service()));
      return new ArrayList<>(s);
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Routing keys of the latest sandbox traffic, sorted; empty when there is none. */
  List<String> routingKeysSeen(@Nullable String service) {
    try {
      TreeSet<String> keys = new TreeSet<>();
      String q = service == null ? "routingKey:*" : "routingKey:* AND service:" + Query.term(service);
      for (ExchangeSummary s : client.search(q, ROUTING_KEY_SAMPLE, null).items()) {
        if (s.routingKey() != null) {
          keys.add(s.routingKey());
        }
      }
      return new ArrayList<>(keys);
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * Why nothing matched, as lines an agent can act on.
   *
   * @param mistake true when an argument names something the recorder has never seen (a service, a
   *     routing key) or the recorder is empty: the call was wrong, not just unlucky
   */
  record Empty(String text, boolean mistake) {}

  /**
   * Why nothing matched: an unknown service (with the ones that exist), an unknown routing key, a
   * time window that is too short, or an empty recorder.
   */
  Empty whyEmpty(@Nullable String service, @Nullable String routingKey, @Nullable String since) {
    List<String> services = servicesSeen();
    if (services.isEmpty()) {
      return new Empty("The recorder has no exchanges yet: send traffic through the capture proxy (tapline up --demo"
          + " drives some), then search again.", true);
    }
    List<String> lines = new ArrayList<>();
    boolean mistake = false;
    if (service != null && !services.contains(service)) {
      lines.add("No traffic of service \"" + service + "\"; services seen: " + Text.list(services) + ".");
      mistake = true;
    }
    if (routingKey != null && !routingKey.isEmpty()) {
      List<String> keys = routingKeysSeen(service != null && services.contains(service) ? service : null);
      if (!keys.contains(routingKey)) {
        lines.add(keys.isEmpty() ? "No sandbox traffic (no routing key) recorded" + (service == null ? "" : " for " + service) + "."
            : "Routing keys seen in recent traffic: " + Text.list(keys) + ".");
        mistake = true;
      }
    }
    if (since != null) {
      lines.add("Nothing in the last " + since + " may just mean no recent traffic: widen since or leave it out.");
    }
    if (lines.isEmpty()) {
      lines.add("Services seen: " + Text.list(services) + ". " + Query.SYNTAX);
    }
    return new Empty(String.join("\n", lines), mistake);
  }

  /** A recorder failure as a tool error: a bad query with its syntax, a missing token, an unreachable recorder. */
  ToolError failure(IOException e, @Nullable String q) {
    if (e instanceof RecorderException r) {
      if ("bad_query".equals(r.code()) || "bad_cursor".equals(r.code()) || "bad_limit".equals(r.code())) {
        String what = "bad_query".equals(r.code()) ? "The query " + Query.show(q) + " does not parse: "
            : "The recorder refused the request: ";
        return new ToolError(what + (r.detail() == null ? r.getMessage() : r.detail()) + "\n" + Query.SYNTAX);
      }
      if (r.status() == 401) {
        return new ToolError("The recorder at " + client.baseUrl() + " needs a token: start tapline mcp with"
            + " --token, --token-file or TAPLINE_TOKEN set to the recorder's token.");
      }
      return new ToolError("The recorder at " + client.baseUrl() + " answered HTTP " + r.status()
          + (r.code() == null ? "" : " " + r.code()) + ": " + (r.detail() == null ? r.getMessage() : r.detail()));
    }
    return new ToolError("Cannot reach the recorder: " + e.getMessage() + ". Is it running (tapline up, or tapline"
        + " recorder) at the URL tapline mcp was started with (--from)?");
  }
}
