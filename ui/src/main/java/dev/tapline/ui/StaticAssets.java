package dev.tapline.ui;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tapline.core.http.ErrorCode;
import dev.tapline.core.http.HttpEdge;
import dev.tapline.core.http.HttpResponses;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Serves the viewer at {@code /}: {@code index.html}, the app's files under {@code /assets/}, and
 * uPlot from its WebJar under {@code /assets/vendor/uplot/}. Mounted without the recorder's token
 * check so the login page can load its stylesheet; the page itself redirects to {@code /login}
 * when a token is configured and the request does not carry it (the assets hold no data).
 */
final class StaticAssets implements HttpHandler {
  static final String STATIC_ROOT = "dev/tapline/ui/static/";
  static final String UPLOT_ROOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]*");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "json", "application/json; charset=utf-8");

  private record Asset(byte[] bytes, String type, String etag) {}

  private final HttpEdge edge;
  private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

  StaticAssets(HttpEdge edge) {
    this.edge = edge;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      String method = ex.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        HttpResponses.methodNotAllowed(ex, "GET, HEAD");
        return;
      }
      String path = ex.getRequestURI().getPath();
      if (path.equals("/") || path.equals("/index.html")) {
        if (!edge.authorized(ex)) {
          HttpResponses.redirect(ex, "/login");
          return;
        }
        serve(ex, STATIC_ROOT + "index.html", "no-cache");
      } else if (path.startsWith("/assets/vendor/uplot/") && isName(path.substring(21))) {
        // The version is in the resource path: clients may keep it for a year.
        serve(ex, UPLOT_ROOT + path.substring(21), "public, max-age=31536000, immutable");
      } else if (path.startsWith("/assets/") && isName(path.substring(8)) && !path.endsWith(".html")) {
        serve(ex, STATIC_ROOT + path.substring(8), "no-cache");
      } else {
        HttpResponses.error(ex, 404, ErrorCode.NOT_FOUND, "no page or asset at " + path + "; the viewer is at /");
      }
    } finally {
      ex.close();
    }
  }

  private static boolean isName(String s) {
    return NAME.matcher(s).matches() && !s.contains("..");
  }

  private void serve(HttpExchange ex, String resource, String cacheControl) throws IOException {
    Optional<Asset> found = cache.computeIfAbsent(resource, StaticAssets::load);
    if (found.isEmpty()) {
      HttpResponses.error(ex, 404, ErrorCode.NOT_FOUND, "no asset " + ex.getRequestURI().getPath());
      return;
    }
    Asset a = found.get();
    ex.getResponseHeaders().set("Cache-Control", cacheControl);
    ex.getResponseHeaders().set("ETag", a.etag());
    String inm = ex.getRequestHeaders().getFirst("If-None-Match");
    if (a.etag().equals(inm)) {
      HttpResponses.send(ex, 304, a.type(), new byte[0], false);
      return;
    }
    HttpResponses.send(ex, 200, a.type(), a.bytes(), false);
  }

  static Optional<Asset> load(String resource) {
    try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      String ext = resource.substring(resource.lastIndexOf('.') + 1);
      String type = TYPES.getOrDefault(ext, "application/octet-stream");
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return Optional.of(new Asset(bytes, type, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\""));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read UI asset " + resource, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The bytes of one bundled asset, e.g. {@code login.html}. */
  static byte[] bytes(String name) {
    return load(STATIC_ROOT + name)
        .orElseThrow(() -> new IllegalStateException("UI asset missing from the classpath: " + name))
        .bytes();
  }
}
