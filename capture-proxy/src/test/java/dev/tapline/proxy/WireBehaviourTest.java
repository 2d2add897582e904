package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.proxy.RawHttp.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP/1.1 on the wire, with raw sockets: what a client library would hide. */
class WireBehaviourTest {
  static TestUpstream upstream;
  static CaptureProxy proxy;

  @BeforeAll
  static void start() {
    upstream = TestUpstream.start("baseline");
    proxy = CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(upstream.uri())
        .capture(CapturePolicy.ALL).build());
  }

  @AfterAll
  static void stop() {
    proxy.close();
    upstream.close();
  }

  static Socket connect() throws IOException {
    return RawHttp.connect(proxy.port());
  }

  static void send(Socket s, String text) throws IOException {
    RawHttp.send(s, text);
  }

  static Reply read(InputStream in, boolean head) throws IOException {
    return RawHttp.read(in, head);
  }

  @Test
  void rejectsMalformedRequestsWith400AndKeepsServing() throws Exception {
    try (Socket s = connect()) {
      send(s, "THIS IS NOT HTTP\r\n\r\n");
      Reply r = read(s.getInputStream(), false);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().get("error").asText()).isEqualTo("bad_request");
      assertThat(s.getInputStream().read()).isEqualTo(-1); // and closes that connection
    }
    try (Socket s = connect()) {
      send(s, "GET /ok?quiet HTTP/1.1\r\nHost: shop.test\r\n\r\n");
      assertThat(read(s.getInputStream(), false).status()).isEqualTo(200);
    }
  }

  @Test
  void rejectsOversizedHeadersWith431AndLongRequestLinesWith414() throws Exception {
    try (Socket s = connect()) {
      send(s, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
      Reply r = read(s.getInputStream(), false);
      assertThat(r.status()).isEqualTo(431);
      assertThat(r.json().get("error").asText()).isEqualTo("headers_too_large");
    }
    try (Socket s = connect()) {
      send(s, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(read(s.getInputStream(), false).status()).isEqualTo(414);
    }
    try (Socket s = connect()) {
      send(s, "GET /still-fine?quiet HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(read(s.getInputStream(), false).status()).isEqualTo(200);
    }
  }

  @Test
  void streamsChunkedBodiesOverOneKeepAliveConnectionAndAnswers100Continue() throws Exception {
    try (Socket s = connect()) {
      InputStream in = s.getInputStream();
      send(s, "POST /upload HTTP/1.1\r\nHost: shop.test\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
      assertThat(read(in, false).status()).isEqualTo(100);
      MessageDigest sha = TestUpstream.sha256();
      long total = 0;
      for (int i = 0; i < 50; i++) {
        byte[] chunk = ("part-" + i + "-" + "x".repeat(i * 100) + "\n").getBytes(StandardCharsets.UTF_8);
        sha.update(chunk);
        total += chunk.length;
        send(s, Integer.toHexString(chunk.length) + "\r\n" + new String(chunk, StandardCharsets.ISO_8859_1) + "\r\n");
      }
      send(s, "0\r\n\r\n");
      Reply upload = read(in, false);
      assertThat(upload.status()).isEqualTo(200);
      assertThat(upload.json().get("length").asLong()).isEqualTo(total);
      assertThat(upload.json().get("sha256").asText()).isEqualTo(HexFormat.of().formatHex(sha.digest()));

      send(s, "GET /download?size=300000&chunked=1 HTTP/1.1\r\nHost: shop.test\r\n\r\n");
      Reply download = read(in, false);
      assertThat(download.status()).isEqualTo(200);
      assertThat(download.headers().get("transfer-encoding")).isEqualTo("chunked");
      assertThat(CaptureProxyTest.sha(new java.io.ByteArrayInputStream(download.body())))
          .isEqualTo(TestUpstream.patternSha(300_000));

      send(s, "HEAD /download?size=1000 HTTP/1.1\r\nHost: shop.test\r\n\r\n");
      Reply head = read(in, true);
      assertThat(head.status()).isEqualTo(200);

      send(s, "GET /last?quiet HTTP/1.1\r\nHost: shop.test\r\n\r\n");
      assertThat(read(in, false).json().get("server").asText()).isEqualTo("baseline");
    }
  }

  @Test
  void answersPipelinedRequestsInOrder() throws Exception {
    try (Socket s = connect()) {
      send(s, "GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\nGET /three HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
      InputStream in = s.getInputStream();
      assertThat(read(in, false).json().get("path").asText()).isEqualTo("/one");
      assertThat(read(in, false).json().get("path").asText()).isEqualTo("/two");
      Reply last = read(in, false);
      assertThat(last.json().get("path").asText()).isEqualTo("/three");
      assertThat(last.headers().get("connection")).isEqualTo("close");
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void sendsTheBodyOfAPipelinedRequestThatWaitedBehindAnother() throws Exception {
    try (Socket s = connect()) {
      // The POST waits in the queue while /one is answered; its body must still reach the upstream.
      send(s, "GET /one?quiet HTTP/1.1\r\nHost: a\r\n\r\nPOST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
          + "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
      InputStream in = s.getInputStream();
      assertThat(read(in, false).status()).isEqualTo(200);
      assertThat(read(in, false).json().get("length").asLong()).isEqualTo(5);
      assertThat(read(in, false).json().get("length").asLong()).isEqualTo(3);
    }
  }

  @Test
  void dropsHopByHopHeadersAndAddsForwardingHeaders() throws Exception {
    try (Socket s = connect()) {
      send(s, "GET /hops HTTP/1.1\r\nHost: shop.test\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret-hop\r\n"
          + "Keep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\nUpgrade: h2c\r\n"
          + "X-Forwarded-For: 10.0.0.1\r\nVia: 1.0 edge\r\nX-End-To-End: kept\r\n\r\n");
      JsonNode h = read(s.getInputStream(), false).json().get("headers");
      assertThat(h.has("x-hop")).isFalse();
      assertThat(h.has("keep-alive")).isFalse();
      assertThat(h.has("te")).isFalse();
      assertThat(h.has("proxy-connection")).isFalse();
      assertThat(h.has("upgrade")).isFalse();
      assertThat(h.at("/x-end-to-end/0").asText()).isEqualTo("kept");
      assertThat(h.at("/x-forwarded-for/0").asText()).isEqualTo("10.0.0.1, 127.0.0.1");
      assertThat(h.at("/via/0").asText()).isEqualTo("1.0 edge, 1.1 tapline");
      assertThat(h.at("/x-forwarded-host/0").asText()).isEqualTo("shop.test");
      assertThat(h.at("/host/0").asText()).isEqualTo("shop.test");
    }
  }

  @Test
  void keepsAnHttp10ClientConnectionOpenOnlyWhenItAsksForKeepAlive() throws Exception {
    try (Socket s = connect()) {
      send(s, "GET /old?quiet HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n");
      Reply r = read(s.getInputStream(), false);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().get("connection")).isEqualToIgnoringCase("keep-alive");
      send(s, "GET /old?quiet HTTP/1.0\r\nHost: a\r\n\r\n");
      assertThat(read(s.getInputStream(), false).status()).isEqualTo(200);
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    try (Socket s = connect()) {
      // a chunked upstream response reaches an HTTP/1.0 client unchunked, ended by close
      send(s, "GET /download?size=100000&chunked=1 HTTP/1.0\r\nHost: a\r\n\r\n");
      Reply r = read(s.getInputStream(), false);
      assertThat(r.headers()).doesNotContainKey("transfer-encoding");
      assertThat(CaptureProxyTest.sha(new java.io.ByteArrayInputStream(r.body()))).isEqualTo(TestUpstream.patternSha(100_000));
    }
  }

  @Test
  void timesOutAClientThatStopsMidRequestWith408AndClosesIdleConnections() throws Exception {
    try (CaptureProxy slow = CaptureProxy.start(ProxyConfig.builder().service("orders").baseline(upstream.uri())
        .clientIdleTimeout(java.time.Duration.ofMillis(300)).clientBodyTimeout(java.time.Duration.ofMillis(300))
        .clientHeaderTimeout(java.time.Duration.ofMillis(300)).build());
        Socket s = new Socket("127.0.0.1", slow.port());
        Socket idle = new Socket("127.0.0.1", slow.port())) {
      s.setSoTimeout(10_000);
      idle.setSoTimeout(10_000);
      send(s, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly ten b");
      Reply r = read(s.getInputStream(), false);
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.json().get("error").asText()).isEqualTo("request_timeout");
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat(idle.getInputStream().read()).isEqualTo(-1); // idle keep-alive connection closed
    }
  }
}
