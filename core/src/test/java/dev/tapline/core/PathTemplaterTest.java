package dev.tapline.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathTemplaterTest {
  @Test
  void replacesIdentifierSegments() {
    assertThat(PathTemplater.template("/orders/1042")).isEqualTo("/orders/{id}");
    assertThat(PathTemplater.template("/orders/77")).isEqualTo("/orders/{id}");
    assertThat(PathTemplater.template("/orders/0190b1a2-0000-7000-8000-000000000001/items/3")).isEqualTo("/orders/{id}/items/{id2}");
    assertThat(PathTemplater.template("/things/01ARZ3NDEKTSV4RRFFQ69G5FAV")).isEqualTo("/things/{id}");
    assertThat(PathTemplater.template("/blobs/deadbeefcafe0123456789")).isEqualTo("/blobs/{id}");
    assertThat(PathTemplater.template("/reports/2026-11-26/summary")).isEqualTo("/reports/{date}/summary");
  }

  @Test
  void keepsResourceNames() {
    assertThat(PathTemplater.template("/")).isEqualTo("/");
    assertThat(PathTemplater.template("/orders")).isEqualTo("/orders");
    assertThat(PathTemplater.template("/api/v2/orders/")).isEqualTo("/api/v2/orders/");
    assertThat(PathTemplater.template("/users/me/settings")).isEqualTo("/users/me/settings");
    assertThat(PathTemplater.template("/files/deadbeef")).isEqualTo("/files/deadbeef");
  }
}
