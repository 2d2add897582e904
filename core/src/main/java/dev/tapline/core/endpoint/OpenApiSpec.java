package dev.tapline.core.endpoint;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Request;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * An OpenAPI 3 document as the stages use it: its {@code servers} path is the base path and its
 * templated paths and operation ids name the endpoints ({@link EndpointResolver#openApi}). Parsed
 * once with swagger-parser, {@code $ref}s resolved.
 *
 * <pre>{@code
 * OpenApiSpec spec = OpenApiSpec.load(Path.of("openapi.yaml"));
 * Endpoints endpoints = Endpoints.of(EndpointResolver.openApi(spec));
 * }</pre>
 */
public final class OpenApiSpec {
  private final OpenAPI api;
  private final String name;
  private final List<String> basePaths;
  private final List<Op> operations = new ArrayList<>();

  /**
   * One operation of the document.
   *
   * @param template the path below the base path, as the document writes it
   */
  public record Op(String method, String basePath, String template, @Nullable String operationId,
      Operation operation, Map<String, Schema<?>> pathParams) {
    public EndpointKey key(String service) {
      return new EndpointKey(service, method, basePath, template);
    }
  }

  /** The document cannot be read, or is not a valid OpenAPI 3 document; the message names the file. */
  public static final class InvalidSpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidSpecException(String message) {
      super(message);
    }
  }

  private OpenApiSpec(OpenAPI api, String name) {
    this.api = api;
    this.name = name;
    Set<String> bases = new LinkedHashSet<>();
    if (api.getServers() != null) {
      for (Server s : api.getServers()) {
        bases.add(serverPath(s.getUrl()));
      }
    }
    if (bases.isEmpty()) {
      bases.add("");
    }
    this.basePaths = List.copyOf(bases);
    String base = basePaths.get(0);
    if (api.getPaths() != null) {
      for (Map.Entry<String, PathItem> e : new TreeMap<>(api.getPaths()).entrySet()) {
        String template = e.getKey().startsWith("/") ? e.getKey() : "/" + e.getKey();
        PathItem item = e.getValue();
        for (Map.Entry<PathItem.HttpMethod, Operation> o : item.readOperationsMap().entrySet()) {
          Map<String, Schema<?>> params = new LinkedHashMap<>();
          collectPathParams(item.getParameters(), params);
          collectPathParams(o.getValue().getParameters(), params);
          operations.add(new Op(o.getKey().name(), base, template, o.getValue().getOperationId(), o.getValue(),
              Map.copyOf(params)));
        }
      }
    }
  }

  private static void collectPathParams(@Nullable List<Parameter> list, Map<String, Schema<?>> out) {
    if (list == null) {
      return;
    }
    for (Parameter p : list) {
      if ("path".equals(p.getIn()) && p.getName() != null && p.getSchema() != null) {
        out.put(p.getName(), p.getSchema());
      }
    }
  }

  /** The path of a {@code servers} URL ({@code https://host/shop/v1/} → {@code /shop/v1}), "" for none. */
  static String serverPath(@Nullable String url) {
    if (url == null || url.isBlank()) {
      return "";
    }
    String p;
    try {
      // Server variables ({version}) cannot be matched against traffic: read up to the first one.
      String u = url.trim();
      int brace = u.indexOf('{');
      if (brace >= 0) {
        u = u.substring(0, brace);
      }
      p = URI.create(u).getPath();
    } catch (IllegalArgumentException e) {
      return "";
    }
    if (p == null) {
      return "";
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.isEmpty() || p.startsWith("/") ? p : "/" + p;
  }

  /**
   * Reads and validates an OpenAPI 3 document (YAML or JSON).
   *
   * @throws InvalidSpecException {@code <file>: cannot read the OpenAPI document}, or {@code <file>:
   *     not a valid OpenAPI 3 document: <first parser message>}
   */
  public static OpenApiSpec load(Path file) {
    requireNonNull(file, "file");
    if (!Files.isReadable(file) || Files.isDirectory(file)) {
      throw new InvalidSpecException(file + ": cannot read the OpenAPI document");
    }
    ParseOptions po = new ParseOptions();
    po.setResolve(true);
    po.setResolveFully(true);
    SwaggerParseResult r = new OpenAPIV3Parser().readLocation(file.toAbsolutePath().toString(), null, po);
    List<String> messages = r.getMessages() == null ? List.of() : r.getMessages();
    if (r.getOpenAPI() == null || !messages.isEmpty()) {
      throw new InvalidSpecException(file + ": not a valid OpenAPI 3 document: "
          + (messages.isEmpty() ? "could not parse it" : messages.get(0)));
    }
    Path fileName = file.getFileName();
    return new OpenApiSpec(r.getOpenAPI(), fileName == null ? file.toString() : fileName.toString());
  }

  /** The parsed document. */
  public OpenAPI api() {
    return api;
  }

  /** The file name it was read from, for reports. */
  public String name() {
    return name;
  }

  /** The base path of the first {@code servers} entry, {@code ""} for none. */
  public String basePath() {
    return basePaths.get(0);
  }

  public List<Op> operations() {
    return List.copyOf(operations);
  }

  /** The operation with this method and template (below the base path), or null. */
  public @Nullable Op operation(String method, String template) {
    for (Op op : operations) {
      if (op.method().equals(method) && op.template().equals(template)) {
        return op;
      }
    }
    return null;
  }

  /**
   * The operation a request with this method and path calls, or null when the document has none.
   * Of several matching templates the one with the most literal segments wins ({@code /pets/mine}
   * over {@code /pets/{petId}}).
   */
  public @Nullable Resolution match(String service, String method, String path) {
    String m = method.toUpperCase(Locale.ROOT);
    for (String base : basePaths) {
      String rel;
      if (base.isEmpty()) {
        rel = path;
      } else if (path.startsWith(base + "/") || path.equals(base)) {
        rel = path.length() == base.length() ? "/" : path.substring(base.length());
      } else {
        continue;
      }
      Op best = null;
      int bestLiterals = -1;
      List<String> bestValues = null;
      for (Op op : operations) {
        if (!op.method().equals(m)) {
          continue;
        }
        List<String> values = EndpointKey.paramValuesOf(op.template(), rel);
        if (values == null || values.stream().anyMatch(String::isEmpty)) {
          continue;
        }
        int literals = op.template().split("/", -1).length - values.size();
        if (literals > bestLiterals) {
          best = op;
          bestLiterals = literals;
          bestValues = values;
        }
      }
      if (best != null) {
        return new Resolution(new EndpointKey(service, best.method(), base, best.template()), bestValues,
            best.operationId(), "openapi");
      }
    }
    return null;
  }

  List<Resolution> resolve(String service, Request request) {
    Resolution r = match(service, request.method(), request.path());
    return r == null ? List.of() : List.of(r);
  }
}
