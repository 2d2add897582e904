package dev.tapline.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.ExchangeCodec;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The UI's handlers over real HTTP, mounted on a real recorder with a token; no browser needed. */
class UiHttpTest {
  private static final String TOKEN = "tok-123";
  private static UiStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = new UiStack(TOKEN);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private static HttpResponse<String> anonymous(String path) throws Exception {
    return UiStack.HTTP.send(HttpRequest.newBuilder(URI.create(stack.url(path))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String contentType, String body, boolean withToken) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.url(path)))
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
    if (withToken) {
      b.header("Authorization", "Bearer " + TOKEN);
    }
    return UiStack.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesThePageAndAssetsWithTheirContentTypesAndAStrictPolicy() throws Exception {
    HttpResponse<String> index = stack.get("/");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(index.headers().firstValue("Content-Security-Policy")).get().asString()
        .contains("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'");
    assertThat(index.body()).contains("/assets/app.js").doesNotContain("<style", "style=", "onclick");
    assertThat(index.body().replaceAll("<script [^>]*src=\"[^\"]+\"[^>]*></script>", "")).doesNotContain("<script");

    assertThat(anonymous("/assets/app.js").headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(anonymous("/assets/app.css").headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
    HttpResponse<String> uplot = anonymous("/assets/vendor/uplot/uPlot.iife.min.js");
    assertThat(uplot.statusCode()).isEqualTo(200);
    assertThat(uplot.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
  }

  @Test
  void answersNotModifiedWhenTheAssetIsUnchanged() throws Exception {
    String etag = anonymous("/assets/live.js").headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = UiStack.HTTP.send(HttpRequest.newBuilder(URI.create(stack.url("/assets/live.js")))
        .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(304);
  }

  @Test
  void refusesUnknownAssetsAndPathTricks() throws Exception {
    for (String path : new String[] {"/assets/nope.js", "/assets/../index.html", "/assets/%2e%2e/index.html",
        "/assets/vendor/uplot/../../../../META-INF/MANIFEST.MF", "/assets/login.html", "/secret"}) {
      HttpResponse<String> r = stack.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.body()).as(path).startsWith("{\"error\":");
    }
  }

  @Test
  void keepsTheApiBehindTheTokenButTheLoginPageAndAssetsOpen() throws Exception {
    assertThat(anonymous("/").statusCode()).isEqualTo(401);
    assertThat(anonymous("/api/drift/runs").statusCode()).isEqualTo(401);
    assertThat(anonymous("/api/ui/config").statusCode()).isEqualTo(401);
    assertThat(anonymous("/login").statusCode()).isEqualTo(200);
    HttpResponse<String> browser = UiStack.HTTP.send(HttpRequest.newBuilder(URI.create(stack.url("/")))
        .header("Accept", "text/html,application/xhtml+xml").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(browser.statusCode()).as("a signed-out browser is sent to the login page").isEqualTo(303);
    assertThat(browser.headers().firstValue("Location")).hasValue("/login");
    assertThat(anonymous("/assets/login.js").statusCode()).isEqualTo(200);
  }

  @Test
  void setsAnHttpOnlyStrictCookieOnlyForTheRightToken() throws Exception {
    HttpResponse<String> wrong = post("/login", "application/x-www-form-urlencoded", "token=nope", false);
    assertThat(wrong.statusCode()).isEqualTo(303);
    assertThat(wrong.headers().firstValue("Location")).hasValue("/login?error=1");
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();

    HttpResponse<String> right = post("/login", "application/x-www-form-urlencoded",
        "token=" + TOKEN + "&next=%23%2Fdrift", false);
    assertThat(right.statusCode()).isEqualTo(303);
    assertThat(right.headers().firstValue("Location")).hasValue("/#/drift");
    String setCookie = right.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).startsWith("tapline_session=").contains("HttpOnly", "SameSite=Strict", "Path=/")
        .doesNotContain(TOKEN);
    String session = setCookie.substring(0, setCookie.indexOf(';'));

    HttpResponse<String> offsite = post("/login", "application/x-www-form-urlencoded",
        "token=" + TOKEN + "&next=https%3A%2F%2Fevil.example", false);
    assertThat(offsite.headers().firstValue("Location")).hasValue("/");

    HttpResponse<String> tokenAsCookie = UiStack.HTTP.send(HttpRequest.newBuilder(URI.create(stack.url("/api/ui/config")))
        .header("Cookie", "tapline_session=" + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(tokenAsCookie.statusCode()).as("the token itself is no session").isEqualTo(401);
    HttpResponse<String> withCookie = UiStack.HTTP.send(HttpRequest.newBuilder(URI.create(stack.url("/api/ui/config")))
        .header("Cookie", session).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(withCookie.statusCode()).isEqualTo(200);
    JsonNode config = ExchangeCodec.mapper().readTree(withCookie.body());
    assertThat(config.get("tokenRequired").asBoolean()).isTrue();
    assertThat(config.get("proxyUrl").asText()).isEqualTo(stack.proxy.uri().toString());
  }

  @Test
  void servesDriftRunsFromTheTopicAndSaysWhenOneIsUnknown() throws Exception {
    stack.publishDrift("r-1", DriftDocs.run("r-1", "2026-11-26T10:00:00Z", "drift", "pr-1"));
    await().atMost(Duration.ofSeconds(15)).until(() ->
        ExchangeCodec.mapper().readTree(stack.get("/api/drift/runs").body()).get("runs").size() == 1);
    JsonNode list = ExchangeCodec.mapper().readTree(stack.get("/api/drift/runs").body());
    assertThat(list.get("enabled").asBoolean()).isTrue();
    assertThat(list.get("runs").get(0).get("verdict").asText()).isEqualTo("drift");
    JsonNode run = ExchangeCodec.mapper().readTree(stack.get("/api/drift/runs/r-1").body());
    assertThat(run.get("endpoints").size()).isEqualTo(3);
    HttpResponse<String> missing = stack.get("/api/drift/runs/nope");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("drift run not found", "nope");
  }

  @Test
  void generatesTestsForOneEndpointAsJsonAndAsAZip() throws Exception {
    String created = stack.send("POST", "/orders", "gen-1",
        "{\"customer\":\"ann\",\"items\":[{\"sku\":\"A-1\",\"quantity\":2,\"price\":9.99}]}").headers()
        .firstValue("Location").orElseThrow();
    stack.send("GET", URI.create(created).getPath(), "gen-1", null);
    await().atMost(Duration.ofSeconds(15)).until(() ->
        ExchangeCodec.mapper().readTree(stack.get("/api/exchanges?q=routingKey:gen-1").body()).get("items").size() == 2);

    String req = "{\"service\":\"orders\",\"method\":\"GET\",\"template\":\"/orders/{orderId}\",\"routingKey\":\"gen-1\"}";
    HttpResponse<String> json = post("/api/generate", "application/json", req, true);
    assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
    JsonNode out = ExchangeCodec.mapper().readTree(json.body());
    assertThat(out.get("exchanges").asInt()).isEqualTo(1);
    assertThat(out.get("files").size()).isPositive();
    assertThat(out.get("files").get(0).get("path").asText()).isNotBlank();
    assertThat(out.toString()).contains(".java");

    HttpResponse<byte[]> zip = UiStack.HTTP.send(HttpRequest.newBuilder(URI.create(stack.url("/api/generate?format=zip")))
        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(req)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(zip.statusCode()).isEqualTo(200);
    assertThat(zip.headers().firstValue("Content-Type")).hasValue("application/zip");
    assertThat(zip.body()).startsWith((byte) 0x50, (byte) 0x4b); // "PK"

    HttpResponse<String> bad = post("/api/generate", "application/json", "{\"service\":\"orders\"}", true);
    assertThat(bad.statusCode()).isEqualTo(400);
    HttpResponse<String> none = post("/api/generate", "application/json",
        "{\"service\":\"orders\",\"method\":\"GET\",\"template\":\"/nothing/{id}\"}", true);
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(none.body()).contains("no exchanges");
  }
}
