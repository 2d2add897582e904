package dev.tapline.core.endpoint;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One endpoint of one service: what the recorder indexes as {@code template}, what the catalog
 * lists, what testgen writes a test class for and what replay reports drift per. Every stage gets
 * it from the same {@link Endpoints} chain, so the same request always has the same key.
 *
 * <pre>{@code
 * EndpointKey k = new EndpointKey("shop", "GET", "/shop/v1", "/carts/{cartId}");
 * k.path();      // "/shop/v1/carts/{cartId}"  (what the recorder indexes as template)
 * k.display();   // "GET /shop/v1/carts/{cartId}"
 * k.paramNames() // ["cartId"]
 *
 * EndpointKey q = EndpointKey.of("users", "POST", "/graphql").withOperation("query", "GetUser");
 * q.path();          // "/graphql"  (still the URL's path template)
 * q.operation();     // "query GetUser"
 * q.display();       // "POST /graphql query GetUser"
 * }</pre>
 *
 * <p>A protocol that carries the operation in the request rather than in the path (GraphQL: {@link
 * GraphqlResolver}) keeps the path template in {@code template} and names the operation in {@code
 * operation}, so a stage that builds URLs reads {@link #path()} as always, and a stage that groups by
 * key groups by operation without knowing GraphQL.
 *
 * @param service the logical service name the proxy captured it under
 * @param method the HTTP method, upper case
 * @param basePath the path the service's resources sit under ({@code /shop/v1}, a context path, the
 *     OpenAPI {@code servers} path), {@code ""} for none; never ends with {@code /}
 * @param template the path template below {@code basePath}, starting with {@code /}, parameters
 *     written {@code {name}} with names unique within the template
 * @param operation {@code ""} for an endpoint the path names (REST); else the operation the request
 *     carries, its type and name: {@code query GetUser}, {@code mutation CreateUser}, {@code query
 *     anonymous_1a2b3c4d} (see {@link #withOperation})
 */
public record EndpointKey(String service, String method, String basePath, String template, String operation)
    implements Comparable<EndpointKey> {
  private static final Comparator<EndpointKey> ORDER = Comparator.comparing(EndpointKey::service)
      .thenComparing(EndpointKey::path)
      .thenComparingInt(k -> methodRank(k.method()))
      .thenComparing(EndpointKey::method)
      .thenComparing(EndpointKey::operation);

  /** The operation types a key may name, as GraphQL writes them. */
  public static final List<String> OPERATION_TYPES = List.of("query", "mutation", "subscription");

  public EndpointKey {
    requireNonNull(service, "service");
    requireNonNull(method, "method");
    requireNonNull(basePath, "basePath");
    requireNonNull(template, "template");
    requireNonNull(operation, "operation");
    if (!operation.isEmpty() && !isOperation(operation)) {
      throw new IllegalArgumentException("operation must be empty or \"<query|mutation|subscription> <Name>\": " + operation);
    }
    if (!basePath.isEmpty() && (!basePath.startsWith("/") || basePath.endsWith("/"))) {
      throw new IllegalArgumentException("basePath must be empty or start with / and not end with /: " + basePath);
    }
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException("template must start with /: " + template);
    }
  }

  /** An endpoint the path names (no operation): the key of every REST request. */
  public EndpointKey(String service, String method, String basePath, String template) {
    this(service, method, basePath, template, "");
  }

  /** A key with no base path: {@code template} is the whole path template. */
  public static EndpointKey of(String service, String method, String template) {
    return new EndpointKey(service, method.toUpperCase(Locale.ROOT), "", template);
  }

  /** The whole path template, base path included: what the recorder indexes and the catalog lists. */
  public String path() {
    return basePath.isEmpty() ? template : basePath + template;
  }

  /** {@code GET /orders/{orderId}}, or {@code POST /graphql query GetUser} for an operation. */
  public String display() {
    return operation.isEmpty() ? method + " " + path() : method + " " + path() + " " + operation;
  }

  /**
   * The same path template, calling operation {@code name} of {@code type}.
   *
   * @param type {@code query}, {@code mutation} or {@code subscription}
   * @param name a GraphQL name ({@code GetUser}, {@code anonymous_1a2b3c4d})
   */
  public EndpointKey withOperation(String type, String name) {
    return new EndpointKey(service, method, basePath, template, type + " " + name);
  }

  /** True when the request names its operation in the body ({@link #operation()} is not empty). */
  public boolean hasOperation() {
    return !operation.isEmpty();
  }

  /** {@code query} of {@code query GetUser}; null when the key names no operation. */
  public @Nullable String operationType() {
    return operation.isEmpty() ? null : operation.substring(0, operation.indexOf(' '));
  }

  /** {@code GetUser} of {@code query GetUser}; null when the key names no operation. */
  public @Nullable String operationName() {
    return operation.isEmpty() ? null : operation.substring(operation.indexOf(' ') + 1);
  }

  /** {@code query GetUser}: a known type, one space, a GraphQL name. */
  static boolean isOperation(String s) {
    int space = s.indexOf(' ');
    if (space < 0 || !OPERATION_TYPES.contains(s.substring(0, space)) || space == s.length() - 1) {
      return false;
    }
    for (int i = space + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
      if (!letter && (i == space + 1 || c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  /** The parameter names of the template, in order. */
  public List<String> paramNames() {
    return paramNamesOf(template);
  }

  /**
   * The same endpoint seen under another base path: {@code /shop/v1/carts/{cartId}} under {@code
   * /shop/v1} is {@code /carts/{cartId}}. Null when {@link #path()} is not below {@code newBase}.
   */
  public @Nullable EndpointKey under(String newBase) {
    String full = path();
    if (newBase.isEmpty()) {
      return new EndpointKey(service, method, "", full, operation);
    }
    if (!full.startsWith(newBase + "/")) {
      return null;
    }
    return new EndpointKey(service, method, newBase, full.substring(newBase.length()), operation);
  }

  /** True when {@code other} is the same endpoint, whatever base path each was split at. */
  public boolean sameEndpoint(EndpointKey other) {
    return service.equals(other.service) && method.equals(other.method) && path().equals(other.path())
        && operation.equals(other.operation);
  }

  @Override
  public int compareTo(EndpointKey o) {
    return ORDER.compare(this, o);
  }

  /** Creates before reads before updates before deletes: the order tests and reports list them in. */
  public static int methodRank(String method) {
    return switch (method) {
      case "POST" -> 0;
      case "GET" -> 1;
      case "PUT" -> 2;
      case "PATCH" -> 3;
      case "DELETE" -> 4;
      default -> 5;
    };
  }

  /** The names of the {@code {name}} segments of a template, in order. */
  public static List<String> paramNamesOf(String template) {
    List<String> names = new ArrayList<>(2);
    for (String seg : template.split("/", -1)) {
      if (isParam(seg)) {
        names.add(seg.substring(1, seg.length() - 1));
      }
    }
    return names;
  }

  /**
   * The concrete values of the template's parameters in {@code path} (both with the same base path
   * or both without), in order; null when the path does not have the template's shape.
   */
  public static @Nullable List<String> paramValuesOf(String template, String path) {
    String[] t = template.split("/", -1);
    String[] p = path.split("/", -1);
    if (t.length != p.length) {
      return null;
    }
    List<String> out = new ArrayList<>(2);
    for (int i = 0; i < t.length; i++) {
      if (isParam(t[i])) {
        out.add(p[i]);
      } else if (!t[i].equals(p[i])) {
        return null;
      }
    }
    return out;
  }

  static boolean isParam(String segment) {
    return segment.length() > 2 && segment.charAt(0) == '{' && segment.charAt(segment.length() - 1) == '}';
  }
}
