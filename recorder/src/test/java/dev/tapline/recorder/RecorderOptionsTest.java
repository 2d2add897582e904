package dev.tapline.recorder;

import static dev.tapline.recorder.Fixtures.exchange;
import static dev.tapline.recorder.Fixtures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tapline.core.Exchange;
import dev.tapline.core.Ids;
import dev.tapline.core.http.HttpEdge;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecorderOptionsTest {
  @TempDir Path dir;

  @Test
  void aTokenGuardsTheApiAndExtensionsButNotHealthOrPublicExtensions() {
    String topic = SharedKafka.uniqueTopic("token");
    RecorderConfig config = Fixtures.config(topic, dir)
        .token("s3cret")
        .extension("/", ex -> reply(ex, "ui"))
        .extension("/api/generate", ex -> reply(ex, "generated"))
        .publicExtension("/login", ex -> reply(ex, "login page"))
        .build();
    try (Recorder r = Recorder.start(config)) {
      URI base = r.baseUri();
      for (String path : List.of("/api/exchanges", "/api/generate", "/", "/index.html", "/metrics")) {
        HttpResponse<String> denied = get(base, path);
        assertThat(denied.statusCode()).as(path).isEqualTo(401);
        assertThat(Fixtures.json(denied).get("error").asText()).isEqualTo("unauthorized");
        assertThat(denied.headers().firstValue("Content-Security-Policy")).hasValue(HttpEdge.CSP);
        assertThat(get(base, path, "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get(base, path, "Authorization", "Bearer s3cret").statusCode()).as(path).isEqualTo(200);
        String session = HttpEdge.token("s3cret").loginCookie();
        assertThat(get(base, path, "Cookie", "a=b; " + session.substring(0, session.indexOf(';'))).statusCode()).isEqualTo(200);
        assertThat(get(base, path, "Cookie", HttpEdge.TOKEN_COOKIE + "=s3cret").statusCode()).isEqualTo(401);
      }
      assertThat(get(base, "/api/generate", "Authorization", "Bearer s3cret").body()).isEqualTo("generated");
      assertThat(get(base, "/somewhere", "Authorization", "Bearer s3cret").body()).isEqualTo("ui");
      assertThat(get(base, "/healthz").statusCode()).isEqualTo(200);
      HttpResponse<String> login = get(base, "/login");
      assertThat(login.body()).isEqualTo("login page");
      assertThat(login.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      HttpEdge edge = HttpEdge.token(r.config().token());
      assertThat(edge.tokenMatches("s3cret")).isTrue();
      assertThat(edge.tokenMatches("s3cre")).isFalse();
      assertThat(edge.loginCookie()).startsWith("tapline_session=v1.").contains("HttpOnly").doesNotContain("s3cret");
    }
  }

  private static void reply(com.sun.net.httpserver.HttpExchange ex, String text) throws java.io.IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(200, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  @Test
  void retentionDeletesExchangesOlderThanTheConfiguredAge() {
    String topic = SharedKafka.uniqueTopic("retention");
    long now = Ids.nowMicros();
    List<Exchange> old = new ArrayList<>();
    List<Exchange> fresh = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      old.add(exchange("orders", null, "GET", "/orders/" + i, 200, "", "{}", now - Duration.ofDays(3).toNanos() / 1000));
      fresh.add(exchange("orders", null, "GET", "/orders/" + i, 200, "", "{}", now - Duration.ofHours(1).toNanos() / 1000));
    }
    List<Exchange> all = new ArrayList<>(old);
    all.addAll(fresh);
    Fixtures.produce(topic, all);
    RecorderConfig config = Fixtures.config(topic, dir).retention(Duration.ofDays(2))
        .retentionCheckInterval(Duration.ofMillis(200)).build();
    try (Recorder r = Recorder.start(config)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> r.metricsText().contains("tapline_recorder_indexed_total 20.0")
          && r.index().size() == 10);
      assertThat(r.index().get(old.get(0).id())).isEmpty();
      assertThat(r.index().get(fresh.get(0).id())).isPresent();
    }
  }

  @Test
  void rebuildingFromTheTopicProducesTheSameIndex() throws Exception {
    String topic = SharedKafka.uniqueTopic("rebuild");
    List<Exchange> all = new ArrayList<>();
    long now = Ids.nowMicros();
    for (int i = 0; i < 300; i++) {
      all.add(exchange(i % 2 == 0 ? "orders" : "users", i % 3 == 0 ? "ann" : null, "GET", "/orders/" + i,
          200 + (i % 5), "", "{\"n\":" + i + "}", now - 1_000_000L * (300 - i)));
    }
    Fixtures.produce(topic, all);
    String first;
    RecorderConfig config = Fixtures.config(topic, dir).build();
    try (Recorder r = Recorder.start(config)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> r.index().size() == 300);
      first = export(r);
    }
    try (Recorder r = Recorder.start(config.toBuilder().rebuild(true).build())) {
      await().atMost(Duration.ofSeconds(30)).until(() -> r.index().size() == 300);
      assertThat(export(r)).isEqualTo(first);
    }
    SharedKafka.deleteTree(dir);
    try (Recorder r = Recorder.start(config)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> r.index().size() == 300);
      assertThat(export(r)).isEqualTo(first);
      assertThat(first.lines().collect(Collectors.toSet())).hasSize(300);
    }
  }

  private static String export(Recorder r) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.index().export(null, out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
