package dev.tapline.testgen;

import java.util.Comparator;

/** An endpoint: service, method and path template (the spec's path when there is a spec). */
record EndpointKey(String service, String method, String template) implements Comparable<EndpointKey> {
  private static final Comparator<EndpointKey> ORDER = Comparator.comparing(EndpointKey::service)
      .thenComparing(EndpointKey::template)
      .thenComparing(k -> MethodOrder.rank(k.method()))
      .thenComparing(EndpointKey::method);

  @Override
  public int compareTo(EndpointKey o) {
    return ORDER.compare(this, o);
  }

  /** {@code GET /orders/{id}}. */
  String display() {
    return method + " " + template;
  }

  static final class MethodOrder {
    private MethodOrder() {}

    static int rank(String m) {
      return switch (m) {
        case "POST" -> 0;
        case "GET" -> 1;
        case "PUT" -> 2;
        case "PATCH" -> 3;
        case "DELETE" -> 4;
        default -> 5;
      };
    }
  }
}
