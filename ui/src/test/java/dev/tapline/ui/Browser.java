package dev.tapline.ui;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through the chromedriver on the PATH. Without the two
 * binaries the browser tests are skipped with a notice, unless {@code -Dtapline.requireBrowser=true}
 * (set by CI), which makes them fail instead. Selenium Manager is never asked to download anything:
 * both paths are given explicitly.
 */
final class Browser implements AutoCloseable {
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts a browser, or skips (fails under {@code tapline.requireBrowser}) when none is installed. */
  static Browser startOrSkip() {
    Optional<Path> chromium = onPath("chromium").or(() -> onPath("chromium-browser"));
    Optional<Path> chromedriver = onPath("chromedriver");
    if (chromium.isEmpty() || chromedriver.isEmpty()) {
      skipOrFail("browser tests need chromium and chromedriver on the PATH (apt-get install chromium chromium-driver); found chromium="
          + chromium.map(Path::toString).orElse("none") + ", chromedriver=" + chromedriver.map(Path::toString).orElse("none"));
    }
    System.setProperty("SE_OFFLINE", "true");
    System.setProperty("webdriver.chrome.driver", chromedriver.get().toString());
    try {
      Path profile = Files.createTempDirectory("tapline-chromium");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(chromium.get().toFile());
      options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
          "--disable-dev-shm-usage", "--window-size=1400,900", "--force-device-scale-factor=1",
          "--user-data-dir=" + profile);
      // Alerts stay open so a test can see that an XSS payload did not raise one.
      options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(chromedriver.get().toFile())
          .usingAnyFreePort()
          .build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
      return new Browser(driver, profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The chromium binary for tests that run it themselves; skips (or fails) like {@link #startOrSkip}. */
  static Path chromiumOrSkip() {
    Optional<Path> chromium = onPath("chromium").or(() -> onPath("chromium-browser"));
    if (chromium.isEmpty()) {
      skipOrFail("this test needs chromium on the PATH (apt-get install chromium)");
    }
    return chromium.orElseThrow();
  }

  private static void skipOrFail(String notice) {
    if (Boolean.getBoolean("tapline.requireBrowser")) {
      fail(notice + " and -Dtapline.requireBrowser=true");
    }
    System.out.println("SKIPPED: " + notice);
    Assumptions.abort(notice);
  }

  static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Saves a screenshot under {@code target/screenshots/NAME.png}; with {@code -Dtapline.docsImages=DIR}
   * also as {@code DIR/DOCNAME.png} (the pictures in docs/UI.md) when {@code docName} is given.
   */
  Path screenshot(String name, String... docName) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path file = SCREENSHOTS.resolve(name + ".png");
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
      String docs = System.getProperty("tapline.docsImages");
      if (docs != null && !docs.isBlank() && docName.length > 0) {
        Path dir = Path.of(docs);
        Files.createDirectories(dir);
        Files.copy(file, dir.resolve(docName[0] + ".png"), StandardCopyOption.REPLACE_EXISTING);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (var s = Files.walk(profile)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // temp space
      }
    }
  }
}
