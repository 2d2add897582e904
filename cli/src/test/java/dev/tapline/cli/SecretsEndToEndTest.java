package dev.tapline.cli;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_16BE;
import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.api.RecorderClient;
import dev.tapline.kafka.embedded.testing.SharedKafka;
import dev.tapline.proxy.CapturePolicy;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ProxyConfig;
import dev.tapline.recorder.Recorder;
import dev.tapline.recorder.RecorderConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets by another name, from end to end: each form a real client or service uses is sent through
 * the capture proxy, and none of them is found in the topic, the index, an export, generated tests or
 * replay's reports; replay never sends one to a service.
 */
class SecretsEndToEndTest {
  static final String JWT = "eyJhbGciOiJIUzI1NiJ9." + b64("{\"sub\":\"ann\",\"exp\":1893456000}") + "."
      + b64("jwt-signature-7a6b5c4d");
  static final String REFERER_TOKEN = "rfr-tok-8c1f2a9b7e";
  static final String PWD = "pwd-val-9f8e7d6c";
  static final String PIN = "pin-val-4711cafe";
  static final String AUTH = "auth-val-77aa88bb";
  static final String SESSION_ID = "sess-val-5d5d5d5d";
  static final String ACCESS_KEY = "ak-val-3c3c3c3c";
  static final String NESTED = "nested-pass-1a2b3c";
  static final String AWS = "AKIAIOSFODNN7TAPLINE";
  static final String MULTIPART = "multipart-pass-2d4e";
  static final String FORM = "form-pass-3f5a7b";
  static final String UTF16 = "utf16-pass-4c6d8e";
  static final String USERINFO = "userinfo-pass-5e7f9a";
  static final String STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc";
  static final String GITHUB = "ghp_" + "R2d2C3poBb8Luke5Leia7Han0Solo9Yoda1X";
  static final String BEARER = "bearer-tok-6abc1234def";
  static final String COOKIE = "cookie-sess-0f1e2d3c";
  static final List<String> SECRETS = List.of(JWT, REFERER_TOKEN, PWD, PIN, AUTH, SESSION_ID, ACCESS_KEY, NESTED, AWS,
      MULTIPART, FORM, UTF16, USERINFO, STRIPE, GITHUB, BEARER, COOKIE);

  @TempDir static Path dir;
  static HttpServer upstream;
  static CaptureProxy proxy;
  static Recorder recorder;
  static String topic;
  static final List<String> receivedByUpstream = new CopyOnWriteArrayList<>();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(UTF_8));
  }

  @BeforeAll
  static void sendEverySecretThroughTheProxy() throws Exception {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    upstream.createContext("/", ex -> {
      StringBuilder seen = new StringBuilder(ex.getRequestMethod() + " " + ex.getRequestURI() + "\n");
      ex.getRequestHeaders().forEach((k, v) -> seen.append(k).append(": ").append(v).append('\n'));
      byte[] body = ex.getRequestBody().readAllBytes();
      for (Charset cs : new Charset[] {UTF_8, UTF_16LE, UTF_16BE}) {
        seen.append(new String(body, cs)).append('\n');
      }
      receivedByUpstream.add(seen.toString());
      byte[] answer = ("{\"ok\":true,\"token\":\"" + GITHUB + "\",\"note\":\"key " + STRIPE + "\"}").getBytes(UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.getResponseHeaders().add("Set-Cookie", "session=" + COOKIE + "; HttpOnly");
      ex.sendResponseHeaders(200, answer.length);
      ex.getResponseBody().write(answer);
      ex.close();
    });
    upstream.start();
    topic = SharedKafka.uniqueTopic("secrets");
    recorder = Recorder.start(RecorderConfig.builder().kafka(SharedKafka.bootstrap()).topic(topic).groupId("g-" + topic)
        .indexDir(dir.resolve("index")).build());
    proxy = CaptureProxy.start(ProxyConfig.builder().listen("127.0.0.1", 0).service("vault")
        .baseline(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort())).kafkaBootstrap(SharedKafka.bootstrap())
        .topic(topic).capture(CapturePolicy.ALL).build());

    String boundary = "----tapline7MA4YWxk";
    List<HttpRequest> requests = List.of(
        get("/profile").header("X-Session", JWT).header("Referer", "https://app.example.com/cb?access_token="
            + REFERER_TOKEN + "&page=2").header("Authorization", "Bearer " + BEARER).header("Cookie", "session=" + COOKIE)
            .build(),
        post("/accounts", "application/json", ("{\"name\":\"ann\",\"pwd\":\"" + PWD + "\",\"pin\":\"" + PIN + "\",\"auth\":\""
            + AUTH + "\",\"session_id\":\"" + SESSION_ID + "\",\"access_key\":\"" + ACCESS_KEY + "\",\"payload\":\""
            + "{\\\"password\\\":\\\"" + NESTED + "\\\"}\",\"db\":\"postgres://svc:" + USERINFO + "@db.internal/app\"}")
            .getBytes(UTF_8)),
        post("/notes", "text/plain", ("rotate " + AWS + " before Friday").getBytes(UTF_8)),
        post("/upload", "multipart/form-data; boundary=" + boundary, ("--" + boundary
            + "\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nann\r\n--" + boundary
            + "\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n" + MULTIPART + "\r\n--" + boundary + "--\r\n")
            .getBytes(UTF_8)),
        post("/login", "application/x-www-form-urlencoded", ("user=ann&password=" + FORM).getBytes(UTF_8)),
        post("/legacy", "application/json; charset=UTF-16", ("{\"password\":\"" + UTF16 + "\",\"n\":1}").getBytes(UTF_16BE)),
        get("/keys/" + STRIPE + "/usage").build());
    for (HttpRequest r : requests) {
      HttpResponse<String> response = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
    }
    // The upstream got the real values: redaction is of what is stored, never of what is forwarded.
    assertThat(String.join("\n", receivedByUpstream)).contains(JWT, PWD, UTF16, STRIPE);
    receivedByUpstream.clear();
    await().atMost(Duration.ofSeconds(60)).until(() -> recorder.index().size() == requests.size());
  }

  static HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(proxy.uri() + path));
  }

  static HttpRequest post(String path, String contentType, byte[] body) {
    return get(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {proxy, recorder}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // closing the rest matters more
        }
      }
    }
    if (upstream != null) {
      upstream.stop(0);
    }
  }

  @Test
  void noSecretIsInTheTopic() {
    List<String> views = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, "check-" + topic,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
      c.subscribe(List.of(topic));
      List<Exchange> read = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          views.add(new String(r.value(), UTF_8));
          read.add(ExchangeCodec.decode(r.value()));
        }
        return read.size() >= 7;
      });
      read.forEach(e -> views.addAll(decoded(e)));
    }
    assertNoSecretIn("the topic", views);
  }

  @Test
  void noSecretIsInTheIndexOrAnExport() throws Exception {
    RecorderClient client = RecorderClient.builder(recorder.baseUri().toString()).build();
    List<String> views = new ArrayList<>();
    views.add(text(recorder.baseUri().resolve("/api/exchanges?limit=100")));
    client.search(null, 100, null).items().forEach(s -> {
      try {
        views.add(text(recorder.baseUri().resolve("/api/exchanges/" + s.id())));
        views.addAll(decoded(client.exchange(s.id()).orElseThrow()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    try (InputStream in = client.exportBytes(null)) {
      views.add(new String(in.readAllBytes(), UTF_8));
    }
    assertNoSecretIn("the index and exports", views);
    for (String secret : List.of(PWD, FORM, MULTIPART, BEARER, COOKIE)) {
      assertThat(client.search("\"" + secret + "\"", 10, null).items()).as("a search for " + secret).isEmpty();
    }
  }

  @Test
  void noSecretIsInGeneratedTestsNorInReplayAndReplayNeverSendsOne() throws Exception {
    String from = recorder.baseUri().toString();
    Path out = dir.resolve("generated");
    Path reports = dir.resolve("reports");
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    PrintStream original = System.out;
    System.setOut(new PrintStream(new ByteArrayOutputStream(), true, UTF_8));
    try {
      assertThat(Main.run("generate", "--from", from, "--out", out.toString(), "--package", "com.example.vault",
          "--build", "none")).isZero();
      assertThat(Main.run("replay", "--from", from, "--baseline", base, "--sandbox", base, "--methods", "GET,POST",
          "--report-dir", reports.toString())).isZero();
    } finally {
      System.setOut(original);
    }
    assertThat(receivedByUpstream).isNotEmpty();
    assertNoSecretIn("what replay sent", receivedByUpstream);
    List<String> files = new ArrayList<>();
    for (Path root : List.of(out, reports)) {
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(Files::isRegularFile).forEach(f -> {
          try {
            files.add(f + "\n" + Files.readString(f, ISO_8859_1));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    }
    assertThat(files).anySatisfy(f -> assertThat(f).contains("ContractTest.java"));
    assertNoSecretIn("generated tests and replay reports", files);
  }

  /** Every field of the exchange as text, its bodies read in every charset a secret could hide in. */
  static List<String> decoded(Exchange e) {
    List<String> views = new ArrayList<>();
    views.add(e.request().uri());
    views.add(URLDecoder.decode(e.request().uri().replace("+", "%2B"), UTF_8));
    e.request().headers().entries().forEach(h -> views.add(h.name() + ": " + h.value()));
    List<Body> bodies = new ArrayList<>(List.of(e.request().body()));
    if (e.response() != null) {
      e.response().headers().entries().forEach(h -> views.add(h.name() + ": " + h.value()));
      bodies.add(e.response().body());
    }
    for (Body b : bodies) {
      for (Charset cs : new Charset[] {UTF_8, ISO_8859_1, UTF_16LE, UTF_16BE}) {
        views.add(new String(b.bytes(), cs));
      }
    }
    return views;
  }

  static String text(URI uri) throws IOException {
    try {
      return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  static void assertNoSecretIn(String where, List<String> views) {
    for (String view : views) {
      for (String secret : SECRETS) {
        assertThat(view).as(where).doesNotContain(secret);
      }
    }
  }
}
