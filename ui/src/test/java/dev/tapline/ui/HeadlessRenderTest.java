package dev.tapline.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Live view rendered by headless Chromium's own one-shot commands with a virtual time budget,
 * as scripts and CI jobs take pictures of it. Virtual time only moves while the page has no request
 * open, and after a page held requests open for a second or more at a time, Chromium's
 * {@code --screenshot --window-size} often never finishes: the live view must not hold any.
 */
class HeadlessRenderTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final String KEY = "headless-" + UUID.randomUUID().toString().substring(0, 6);
  private static Path chromium;
  private static UiStack stack;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    chromium = Browser.chromiumOrSkip();
    stack = new UiStack(null);
    for (int i = 0; i < 3; i++) {
      stack.send("GET", "/orders/headless-" + i, KEY, null);
    }
    await().atMost(Duration.ofSeconds(30)).until(() ->
        stack.get("/api/exchanges?q=" + java.net.URLEncoder.encode("routingKey:\"" + KEY + "\"", java.nio.charset.StandardCharsets.UTF_8))
            .body().contains("/orders/headless-2"));
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aScreenshotWithAVirtualTimeBudgetFinishes() throws Exception {
    Path png = dir.resolve("live.png");
    long millis = run("--window-size=1400,900", "--screenshot=" + png);
    System.out.println("headless screenshot of the live view took " + millis + " ms");
    assertThat(Files.size(png)).isGreaterThan(1000);
    Files.createDirectories(Browser.SCREENSHOTS);
    Files.copy(png, Browser.SCREENSHOTS.resolve("headless-live.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void aDomDumpWithAVirtualTimeBudgetShowsTheRows() throws Exception {
    long millis = run("--dump-dom");
    System.out.println("headless DOM dump of the live view took " + millis + " ms");
    assertThat(Files.readString(dir.resolve("out.txt"))).contains("/orders/headless-0", "/orders/headless-2");
  }

  /** Runs chromium with the given command on the live view; returns how long it took. */
  private long run(String... command) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + dir.resolve("profile"), "--virtual-time-budget=10000"));
    args.addAll(List.of(command));
    args.add(stack.url("/#/live?rk=" + KEY));
    long start = System.nanoTime();
    Process p = new ProcessBuilder(args)
        .redirectOutput(dir.resolve("out.txt").toFile())
        .redirectError(dir.resolve("err.txt").toFile())
        .start();
    try {
      if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
        fail("chromium " + String.join(" ", command) + " did not finish within " + LIMIT.toSeconds() + " s");
      }
      assertThat(p.exitValue()).as("chromium exit status").isZero();
      return (System.nanoTime() - start) / 1_000_000;
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }
}
