package dev.tapline.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.api.ExchangeSummary;
import dev.tapline.core.testing.TestExchanges;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TrafficToolsTest {
  @Test
  void aLongBodyIsCutOnACharacterBoundaryAndTheResultSaysHowToSeeMore() {
    String big = "{\"note\":\"" + "é".repeat(5000) + "\"}";
    Exchange e = TestExchanges.exchange("POST", "/orders", "pr-7", Body.text("application/json", big), 201,
        Body.text("application/json", "{\"id\":1}"), "dry=1");
    String text = TrafficTools.describe(e, 4096);
    assertThat(text).startsWith("POST /orders?dry=1 -> 201 in 1.2 ms\n")
        .contains("routing key pr-7", "Request headers:\n  Host: localhost:8080",
            "Request body (application/json, 9.8 KiB; cut to the first 4.0 KiB here, ask again with a larger maxBodyBytes",
            "Response body (application/json, 8 B):\n{\"id\":1}");
    String shown = text.substring(text.indexOf("{\"note\""), text.indexOf("\nResponse"));
    assertThat(shown.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096).isGreaterThan(4090);
    assertThat(shown).doesNotContain("\uFFFD");
  }

  @Test
  void binaryBodiesAreDescribedNotShown() {
    Exchange e = TestExchanges.exchange("GET", "/logo.png", null, Body.empty(), 200,
        Body.of("image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', (byte) 0xff, 0}), null);
    assertThat(TrafficTools.describe(e, 4096)).contains("Request body: none",
        "Response body (image/png, 6 B): binary, not shown");
  }

  @Test
  void aSearchLineNamesTheTargetWhenARoutesRuleAnsweredInsteadOfTheSandbox() {
    ExchangeSummary mock = new ExchangeSummary("id-1", 1_764_151_212_345_678L, "orders", "demo-v2", "mock", "GET",
        "/orders/7", "/orders/{orderId}", 418, 1200, 0, 14, "");
    assertThat(TrafficTools.summaryLine(mock)).contains("orders [demo-v2 mock]");
    ExchangeSummary sandbox = new ExchangeSummary("id-2", 1_764_151_212_345_678L, "orders", "demo-v2", "sandbox:demo-v2",
        "GET", "/orders/7", "/orders/{orderId}", 200, 1200, 0, 14, "");
    assertThat(TrafficTools.summaryLine(sandbox)).contains("orders [demo-v2]").doesNotContain("sandbox:");
    ExchangeSummary override = new ExchangeSummary("id-3", 1_764_151_212_345_678L, "orders", "demo-v2",
        "override:http://127.0.0.1:8000", "GET", "/orders/7", "/orders/{orderId}", 200, 1200, 0, 14, "");
    assertThat(TrafficTools.summaryLine(override)).contains("orders [demo-v2 override:http://127.0.0.1:8000]");
  }

  @Test
  void timesAreUtcWithMillisecondsWhateverTheZone() {
    assertThat(Text.time(1_764_151_212_345_678L)).isEqualTo("2025-11-26T10:00:12.345Z");
    assertThat(Text.duration(181_234)).isEqualTo("181.2 ms");
    assertThat(Text.duration(2_500_000)).isEqualTo("2.50 s");
  }
}
