package dev.tapline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingKeysTest {
  private final RoutingKeys keys = RoutingKeys.defaults();

  @Test
  void readsTheBaggageMember() {
    assertThat(keys.extract(Headers.of("baggage", "userId=alice, sd-routing-key=demo-v2;ttl=3, x=y"))).isEqualTo("demo-v2");
  }

  @Test
  void readsEachDefaultHeader() {
    for (String h : List.of("sd-routing-key", "X-Routing-Key", "uberctx-sd-routing-key", "ot-baggage-sd-routing-key")) {
      assertThat(keys.extract(Headers.of(h, " k1 "))).as(h).isEqualTo("k1");
    }
  }

  @Test
  void firstSourceWins() {
    assertThat(keys.extract(Headers.of("x-routing-key", "second", "baggage", "sd-routing-key=first"))).isEqualTo("first");
  }

  @Test
  void returnsNullWithoutKey() {
    assertThat(keys.extract(Headers.of("baggage", "other=1", "sd-routing-key", " "))).isNull();
  }

  @Test
  void takesConfiguredSources() {
    RoutingKeys custom = RoutingKeys.of(List.of("x-sandbox", "baggage:route"));
    assertThat(custom.extract(Headers.of("baggage", "route=r%201"))).isEqualTo("r 1");
    assertThat(custom.extract(Headers.of("sd-routing-key", "k"))).isNull();
  }
}
