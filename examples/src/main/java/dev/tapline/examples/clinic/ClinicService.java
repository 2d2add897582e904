package dev.tapline.examples.clinic;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tapline.examples.clinic.Routes.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * A veterinary clinic API after Spring PetClinic, with the habits of real third-party services, in
 * two versions. The test generator meets here what {@link dev.tapline.examples.OrdersService} (written
 * to fit it) never shows: a context path, integer ids counted per table, nested resources, a
 * reference by id in a request body, a unique field, absolute links built from the {@code Host}
 * header, RFC 7807 errors with timestamps, and path ids parsed as int32 (a 13-digit id is a 500, not
 * a 404).
 *
 * <pre>{@code
 * try (ClinicService clinic = ClinicService.start(ClinicService.Version.V1, "127.0.0.1", 0)) {
 *   URI api = clinic.baseUri();   // http://127.0.0.1:PORT/clinic/api
 *   // POST api/owners/1/pets {"name":"Leo","birthDate":"2019-05-01","type":{"id":2}} -> 201
 * }
 * }</pre>
 *
 * <p>Endpoints below {@code /clinic/api} (the OpenAPI document, {@link #openApiYaml()}, is served at
 * {@code /clinic/api/openapi.yaml}): {@code /owners} (GET {@code ?lastName=} prefix, POST), {@code
 * /owners/{ownerId}} (GET, PUT, DELETE), {@code /owners/{ownerId}/pets} (GET, POST), {@code
 * /owners/{ownerId}/pets/{petId}} (GET, PUT, DELETE), {@code .../visits} (GET, POST), {@code
 * .../visits/{visitId}} (GET), {@code /pettypes} (GET, POST), {@code /pettypes/{petTypeId}} (GET, PUT,
 * DELETE), {@code /vets} and {@code /vets/{vetId}} (GET). POST answers 201 with a {@code Location},
 * PUT 200, DELETE 204. Every start seeds the same data: pet types cat..hamster (1..6), owners 1..3,
 * pets 1..4, visits 1..2, vets 1..6.
 *
 * <p>{@link Version#V2} changes the contract: owner {@code telephone} is renamed {@code phone} (in
 * responses and as the required request field), pet {@code birthDate} is answered as epoch
 * milliseconds (a number) instead of a {@code yyyy-MM-dd} string, and {@code DELETE
 * /owners/{ownerId}/pets/{petId}} is gone (405). It still serves the v1 OpenAPI document, as a
 * build whose document nobody updated would.
 */
public final class ClinicService implements AutoCloseable {
  /** V1 is the baseline; V2 is the sandbox build with contract changes. */
  public enum Version {
    V1,
    V2
  }

  /** Where the API lives on the server; everything else is a 404. */
  public static final String CONTEXT_PATH = "/clinic/api";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 1 << 20;
  private static final byte[] OPENAPI = readOpenApi();

  private final Version version;
  private final HttpServer server;
  private final ExecutorService executor;
  private final ClinicStore store = ClinicStore.seeded();
  private final Routes routes;

  private ClinicService(Version version, HttpServer server, ExecutorService executor) {
    this.version = version;
    this.server = server;
    this.executor = executor;
    this.routes = new ClinicApi(version, store).routes();
  }

  public static ClinicService start(Version version, int port) {
    return start(version, "127.0.0.1", port);
  }

  /** Starts a freshly seeded clinic; port 0 picks a free one. */
  public static ClinicService start(Version version, String host, int port) {
    requireNonNull(version, "version");
    requireNonNull(host, "host");
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 256);
      ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
      ClinicService service = new ClinicService(version, server, executor);
      server.createContext("/", service::handle);
      server.setExecutor(executor);
      server.start();
      return service;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
    }
  }

  /** The v1 OpenAPI 3.0 document, as served at {@code /clinic/api/openapi.yaml}. */
  public static String openApiYaml() {
    return new String(OPENAPI, StandardCharsets.UTF_8);
  }

  public Version version() {
    return version;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:PORT/clinic/api}, without a trailing slash. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port() + CONTEXT_PATH);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** {@code java -cp tapline.jar dev.tapline.examples.clinic.ClinicService v1|v2 PORT [HOST]}. */
  public static void main(String[] args) throws InterruptedException {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: ClinicService v1|v2 PORT [HOST]");
      System.exit(2);
    }
    Version v = Version.valueOf(args[0].toUpperCase(Locale.ROOT));
    ClinicService s = start(v, args.length == 3 ? args[2] : "127.0.0.1", Integer.parseInt(args[1]));
    System.out.println("clinic " + v + " listening on " + s.baseUri());
    Runtime.getRuntime().addShutdownHook(new Thread(s::close));
    Thread.currentThread().join();
  }

  /** What goes on the wire. */
  private record Answer(int status, String contentType, byte @Nullable [] body, Map<String, String> headers) {}

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      Links links = Links.forHost(ex.getRequestHeaders().getFirst("Host"), "127.0.0.1:" + port());
      Answer answer;
      try {
        answer = answer(ex, path, links);
      } catch (Problem p) {
        answer = problem(p, links, path);
      } catch (RuntimeException e) {
        // What an unhandled exception gives in a real service, e.g. NumberFormatException for an id
        // beyond int32.
        answer = problem(Problem.internal(String.valueOf(e.getMessage())), links, path);
      }
      send(ex, answer);
    }
  }

  private Answer answer(HttpExchange ex, String path, Links links) throws IOException {
    String method = ex.getRequestMethod();
    if (!path.startsWith(CONTEXT_PATH + "/")) {
      throw Problem.notFound("No endpoint " + method + " " + path);
    }
    String below = path.substring(CONTEXT_PATH.length());
    boolean head = method.equals("HEAD");
    if (below.equals("/openapi.yaml")) {
      if (!head && !method.equals("GET")) {
        throw Problem.methodNotAllowed(method, "GET");
      }
      return new Answer(200, "application/yaml", OPENAPI, Map.of());
    }
    Routes.Match match = routes.match(below);
    if (match == null) {
      throw Problem.notFound("No endpoint " + method + " " + path);
    }
    Routes.Handler handler = match.route().handler(head ? "GET" : method);
    if (handler == null) {
      throw Problem.methodNotAllowed(method, match.route().allow());
    }
    List<Integer> ids = match.variables().stream().map(Integer::parseInt).toList();
    ObjectNode body = method.equals("POST") || method.equals("PUT") ? readBody(ex) : null;
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    synchronized (store) {
      Reply reply = handler.handle(new Routes.Call(ids, body, query, new Views(version, links, store)));
      Map<String, String> headers = reply.location() == null ? Map.of() : Map.of("Location", links.api(reply.location()));
      byte[] bytes = reply.body() == null ? null : JSON.writeValueAsBytes(reply.body());
      return new Answer(reply.status(), "application/json", bytes, headers);
    }
  }

  private ObjectNode readBody(HttpExchange ex) throws IOException {
    String contentType = ex.getRequestHeaders().getFirst("Content-Type");
    String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
      throw Problem.unsupportedMediaType(contentType == null ? "application/octet-stream" : contentType);
    }
    byte[] bytes;
    try (InputStream in = ex.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY + 1);
    }
    if (bytes.length > MAX_BODY) {
      throw Problem.tooLarge(MAX_BODY);
    }
    if (bytes.length == 0) {
      throw Problem.badRequest("Required request body is missing");
    }
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (IOException e) {
      throw Problem.badRequest("JSON parse error: request body is not valid JSON");
    }
    if (node instanceof ObjectNode object) {
      return object;
    }
    throw Problem.badRequest("JSON parse error: request body must be a JSON object");
  }

  private static Answer problem(Problem p, Links links, String path) throws IOException {
    return new Answer(p.status, "application/problem+json", JSON.writeValueAsBytes(p.body(links, path)), p.headers());
  }

  private static void send(HttpExchange ex, Answer a) throws IOException {
    a.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    if (a.body() == null || ex.getRequestMethod().equals("HEAD")) {
      if (a.body() != null) {
        ex.getResponseHeaders().set("Content-Type", a.contentType());
      }
      ex.sendResponseHeaders(a.status(), -1);
      return;
    }
    ex.getResponseHeaders().set("Content-Type", a.contentType());
    ex.sendResponseHeaders(a.status(), a.body().length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(a.body());
    }
  }

  private static Map<String, String> query(@Nullable String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  private static byte[] readOpenApi() {
    try (InputStream in = ClinicService.class.getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the classpath beside ClinicService");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

