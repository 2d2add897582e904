package dev.tapline.core.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathTemplaterTest {
  @Test
  void replacesIdentifierSegmentsWithParametersNamedAfterTheirResource() {
    assertThat(PathTemplater.template("/orders/1042")).isEqualTo("/orders/{orderId}");
    assertThat(PathTemplater.template("/orders/77")).isEqualTo("/orders/{orderId}");
    assertThat(PathTemplater.template("/orders/0190b1a2-0000-7000-8000-000000000001/items/3"))
        .isEqualTo("/orders/{orderId}/items/{itemId}");
    assertThat(PathTemplater.template("/owners/7/pets/12")).isEqualTo("/owners/{ownerId}/pets/{petId}");
    assertThat(PathTemplater.template("/things/01ARZ3NDEKTSV4RRFFQ69G5FAV")).isEqualTo("/things/{thingId}");
    assertThat(PathTemplater.template("/blobs/deadbeefcafe0123456789")).isEqualTo("/blobs/{blobId}");
    assertThat(PathTemplater.template("/reports/2026-11-26/summary")).isEqualTo("/reports/{reportDate}/summary");
  }

  @Test
  void namesEveryParameterOnceEvenWhenTwoBelongToOneResource() {
    assertThat(PathTemplater.template("/orders/reports/2026-01-01/2026-02-01"))
        .isEqualTo("/orders/reports/{reportDate}/{date}");
    assertThat(PathTemplater.template("/a/1/2/3")).isEqualTo("/a/{aId}/{id}/{id2}");
    assertThat(PathTemplater.template("/api/v2/42")).isEqualTo("/api/v2/{id}");
    assertThat(PathTemplater.template("/7")).isEqualTo("/{id}");
  }

  @Test
  void singularizesResourceNames() {
    assertThat(PathTemplater.template("/categories/3")).isEqualTo("/categories/{categoryId}");
    assertThat(PathTemplater.template("/addresses/3")).isEqualTo("/addresses/{addressId}");
    assertThat(PathTemplater.template("/boxes/3")).isEqualTo("/boxes/{boxId}");
    assertThat(PathTemplater.template("/people/3")).isEqualTo("/people/{personId}");
    assertThat(PathTemplater.template("/line-items/3")).isEqualTo("/line-items/{lineItemId}");
    assertThat(PathTemplater.template("/status/3")).isEqualTo("/status/{statusId}");
    assertThat(PathTemplater.template("/2fa/3")).isEqualTo("/2fa/{id}");
  }

  @Test
  void keepsResourceNames() {
    assertThat(PathTemplater.template("/")).isEqualTo("/");
    assertThat(PathTemplater.template("/orders")).isEqualTo("/orders");
    assertThat(PathTemplater.template("/api/v2/orders/")).isEqualTo("/api/v2/orders/");
    assertThat(PathTemplater.template("/users/me/settings")).isEqualTo("/users/me/settings");
    assertThat(PathTemplater.template("/files/deadbeef")).isEqualTo("/files/deadbeef");
  }

  @Test
  void resolutionCarriesTheParameterValuesAsSent() {
    Resolution r = PathTemplater.resolution("shop", "get", "/owners/7/pets/12");
    assertThat(r.key()).isEqualTo(new EndpointKey("shop", "GET", "", "/owners/{ownerId}/pets/{petId}"));
    assertThat(r.paramNames()).containsExactly("ownerId", "petId");
    assertThat(r.paramValues()).containsExactly("7", "12");
    assertThat(r.source()).isEqualTo("heuristic");
  }
}
