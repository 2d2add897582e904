package dev.tapline.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;

/** A recorder started with a token: the browser gets in only through the login page. */
class TokenGateBrowserTest {
  private static final String TOKEN = "s3cret-Token_42";
  private static UiStack stack;
  private static Browser browser;
  private static ChromeDriver driver;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.startOrSkip();
    driver = browser.driver;
    stack = new UiStack(TOKEN);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void theViewerOpensOnlyAfterSigningInWithTheToken() throws Exception {
    driver.get(stack.url("/"));
    assertThat(driver.findElements(By.id("view"))).as("the app does not load without the token").isEmpty();

    driver.get(stack.url("/login"));
    browser.screenshot("login", "ui-login");
    driver.findElement(By.id("token")).sendKeys("wrong-token");
    driver.findElement(By.cssSelector("#login-form button")).click();
    await().until(() -> driver.getCurrentUrl().endsWith("/login?error=1"));
    assertThat(driver.findElement(By.id("login-error")).isDisplayed()).isTrue();
    assertThat(driver.manage().getCookieNamed("tapline_session")).isNull();

    driver.findElement(By.id("token")).sendKeys(TOKEN);
    driver.findElement(By.cssSelector("#login-form button")).click();
    await().until(() -> !driver.findElements(By.id("live-info")).isEmpty());
    Cookie cookie = driver.manage().getCookieNamed("tapline_session");
    assertThat(cookie.isHttpOnly()).isTrue();
    assertThat(cookie.getSameSite()).isEqualTo("Strict");

    await().until(() -> driver.findElement(By.id("empty")).isDisplayed());
    assertThat(driver.findElement(By.id("empty")).getText())
        .contains("No traffic yet", "capture proxy at " + stack.proxy.uri());
    browser.screenshot("empty-live", "ui-empty");

    stack.send("GET", "/orders?page=0", "gated", null);
    await().atMost(Duration.ofSeconds(5)).until(() -> !driver.findElements(By.cssSelector("#rows > .row")).isEmpty());
    assertThat(driver.findElement(By.id("conn")).getText()).isEqualTo("live");
    browser.screenshot("token-gate-signed-in");
  }
}
