package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.proxy.RawHttp.Conversation;
import io.netty.util.ResourceLeakDetector;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An upstream that answers {@code GET /r/N} with the N-th scripted response, byte for byte, and
 * closes; and the run that checks what the proxy makes of each: a response framed one way only
 * (the upstream's, or the proxy's 502/504), or a close. Afterwards a good response still passes,
 * and no buffer leaked.
 */
final class ResponseFuzz implements AutoCloseable {
  private static final byte[] GOOD = ("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood").getBytes(StandardCharsets.ISO_8859_1);
  private final List<HttpFuzz.Probe> scripts;
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  static ResponseFuzz start(List<HttpFuzz.Probe> scripts) throws IOException {
    return new ResponseFuzz(scripts);
  }

  private ResponseFuzz(List<HttpFuzz.Probe> scripts) throws IOException {
    this.scripts = scripts;
    this.server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    threads.execute(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          threads.execute(() -> answer(s));
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  private void answer(Socket s) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      StringBuilder head = new StringBuilder();
      int c;
      while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
        head.append((char) c);
      }
      String target = head.toString().split(" ", 3)[1];
      OutputStream out = s.getOutputStream();
      out.write(target.startsWith("/r/") ? scripts.get(Integer.parseInt(target.substring(3))).bytes() : GOOD);
      out.flush();
      s.shutdownOutput();
      in.readAllBytes(); // until the proxy lets go: a close with unread bytes would reset what we sent
    } catch (IOException | RuntimeException e) {
      // the proxy closed first
    }
  }

  static void run(List<HttpFuzz.Probe> scripts) throws Exception {
    ConcurrentLinkedQueue<String> leaks = new ConcurrentLinkedQueue<>();
    ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
    FuzzHarness.watchLeaks(leaks);
    try (ResponseFuzz upstream = new ResponseFuzz(scripts);
        CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder().service("fuzz").baseline(upstream.uri())
            .capture(CapturePolicy.ALL).sink(ExchangeSink.discarding()).responseTimeout(Duration.ofSeconds(2)).build())) {
      ExecutorService clients = Executors.newFixedThreadPool(ProxyFuzzTest.CLIENTS);
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < scripts.size(); i++) {
        int n = i;
        results.add(clients.submit(() -> check(proxy, n, scripts.get(n))));
      }
      List<String> failures = new ArrayList<>();
      for (Future<String> f : results) {
        String why = f.get();
        if (why != null) {
          failures.add(why);
        }
      }
      clients.shutdownNow();
      assertThat(failures).as("responses the proxy passed on badly").isEmpty();
      Conversation after = send(proxy, "/good");
      assertThat(after.statuses()).containsExactly(200);
      assertThat(after.replies().get(0).text()).isEqualTo("good");
      FuzzHarness.drainLeakReports();
      assertThat(leaks).as("buffers Netty's leak detector found unreleased").isEmpty();
    } finally {
      FuzzHarness.stopWatchingLeaks(level);
    }
  }

  static Conversation send(CaptureProxy proxy, String path) throws IOException {
    try (Socket s = RawHttp.connect(proxy.port())) {
      s.setSoTimeout(5_000);
      RawHttp.send(s, "GET " + path + " HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n");
      return RawHttp.readAll(s, 4);
    }
  }

  private static String check(CaptureProxy proxy, int n, HttpFuzz.Probe script) {
    String why;
    try {
      Conversation c = send(proxy, "/r/" + n);
      if (!c.closed()) {
        why = "the connection stayed open after " + c.statuses();
      } else if (c.replies().size() > 1) {
        why = "one request, " + c.replies().size() + " responses: " + c.statuses();
      } else if (c.replies().size() == 1 && c.replies().get(0).status() >= 500
          && c.replies().get(0).headers().containsKey("via") && !c.replies().get(0).text().contains("\"error\"")) {
        why = "a 5xx that is neither the upstream's nor the proxy's JSON: " + c.replies().get(0).text();
      } else {
        why = null;
      }
    } catch (RawHttp.MalformedResponse e) {
      why = "the proxy passed on a malformed response: " + e.getMessage();
    } catch (IOException e) {
      why = "I/O: " + e;
    }
    return why == null ? null : script.name() + ": " + why + "\n    upstream sent: " + script.printable();
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
