package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tapline.core.endpoint.PathGlob;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathGlobsTest {

  @Test
  void matchesSingleSegmentsWithOneStarAndAnyDepthWithTwo() {
    PathGlobs g = PathGlobs.of(List.of("/orders/*", "/api/**"), List.of("/api/internal/**"));
    assertThat(g.matches("/orders/42")).isTrue();
    assertThat(g.matches("/orders/42/items")).isFalse();
    assertThat(g.matches("/api/v1/things/3")).isTrue();
    assertThat(g.matches("/api/internal/health")).isFalse();
    assertThat(g.matches("/other")).isFalse();
  }

  @Test
  void takesATemplateParameterAsOneWholeSegment() {
    PathGlobs g = PathGlobs.of(List.of("/owners/{ownerId}/pets/{petId}"), List.of());
    assertThat(g.matches("/owners/1/pets/2")).isTrue();
    assertThat(g.matches("/owners//pets/2")).isFalse();
    assertThat(g.matches("/owners/1/2/pets/2")).isFalse();
    assertThatThrownBy(() -> PathGlob.compile("/orders/{id}.json"))
        .hasMessageContaining("a template parameter must be a whole segment");
  }

  @Test
  void capturesEverythingButExclusionsWhenNothingIsIncluded() {
    PathGlobs g = PathGlobs.of(List.of(), List.of("/healthz", "/metrics"));
    assertThat(g.matches("/orders")).isTrue();
    assertThat(g.matches("/healthz")).isFalse();
  }

  @Test
  void rejectsBadConfigurationWithMessagesNamingTheProblem() {
    assertThatThrownBy(() -> ProxyConfig.builder().service("s").baseline(URI.create("ftp://x:1")).build())
        .hasMessageContaining("baseline must be an http:// or https:// URL");
    assertThatThrownBy(() -> ProxyConfig.builder().service("s").baseline(URI.create("https://ann:hunter2@x:1")).build())
        .hasMessage("baseline must not carry credentials (user:password@): https://x:1");
    assertThatThrownBy(() -> ProxyConfig.builder().service("s").baseline(URI.create("http://x:1/base")).build())
        .hasMessageContaining("must not have a path");
    assertThatThrownBy(() -> ProxyConfig.builder().service("s").baseline(URI.create("http://x:1")).sampleRate(2).build())
        .hasMessageContaining("sampleRate must be between 0 and 1: 2.0");
    assertThatThrownBy(() -> ProxyConfig.builder().baseline(URI.create("http://x:1")).build())
        .hasMessageContaining("service");
  }
}
