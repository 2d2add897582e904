package dev.tapline.core.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tapline.core.Body;
import dev.tapline.core.Headers;
import dev.tapline.core.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndpointsTest {
  @TempDir Path dir;

  private static Request get(String path) {
    return new Request("GET", "http", "h", path, null, Headers.empty(), Body.empty());
  }

  private Path spec() throws Exception {
    Path f = dir.resolve("petstore.yaml");
    Files.writeString(f, """
        openapi: 3.0.3
        info: {title: pets, version: "1"}
        servers: [{url: "http://localhost:8080/petclinic/api/"}]
        paths:
          /owners/{ownerId}/pets/{petId}:
            get:
              operationId: getPet
              parameters:
                - {name: ownerId, in: path, required: true, schema: {type: integer, format: int32}}
                - {name: petId, in: path, required: true, schema: {type: integer, format: int32}}
              responses: {"200": {description: ok}}
          /owners/{ownerId}/pets/mine:
            get:
              parameters:
                - {name: ownerId, in: path, required: true, schema: {type: integer}}
              responses: {"200": {description: ok}}
        """);
    return f;
  }

  @Test
  void theSpecWinsWithItsBasePathTemplateAndOperationId() throws Exception {
    Endpoints e = Endpoints.withSpec(OpenApiSpec.load(spec()));
    Resolution r = e.resolve("clinic", get("/petclinic/api/owners/3/pets/9"));
    assertThat(r.key()).isEqualTo(new EndpointKey("clinic", "GET", "/petclinic/api", "/owners/{ownerId}/pets/{petId}"));
    assertThat(r.key().path()).isEqualTo("/petclinic/api/owners/{ownerId}/pets/{petId}");
    assertThat(r.operationId()).isEqualTo("getPet");
    assertThat(r.paramValues()).containsExactly("3", "9");
    assertThat(r.source()).isEqualTo("openapi");
  }

  @Test
  void theTemplateWithMoreLiteralSegmentsWins() throws Exception {
    Endpoints e = Endpoints.withSpec(OpenApiSpec.load(spec()));
    assertThat(e.resolve("clinic", get("/petclinic/api/owners/3/pets/mine")).key().template())
        .isEqualTo("/owners/{ownerId}/pets/mine");
  }

  @Test
  void whatTheSpecDoesNotKnowFallsToTheHeuristic() throws Exception {
    Endpoints e = Endpoints.withSpec(OpenApiSpec.load(spec()));
    Resolution r = e.resolve("clinic", get("/petclinic/api/vets/4"));
    assertThat(r.key()).isEqualTo(new EndpointKey("clinic", "GET", "", "/petclinic/api/vets/{vetId}"));
    assertThat(r.source()).isEqualTo("heuristic");
    // another method on a documented path is not that operation
    Request post = new Request("POST", "http", "h", "/petclinic/api/owners/3/pets/9", null, Headers.empty(), Body.empty());
    assertThat(e.resolve("clinic", post).source()).isEqualTo("heuristic");
  }

  @Test
  void aLinkBeforeTheSpecDecidesFirstAndMayAnswerSeveralEndpoints() throws Exception {
    EndpointResolver batch = (service, request) -> request.path().equals("/graphql")
        ? List.of(new Resolution(EndpointKey.of(service, "POST", "/graphql"), List.of(), "A", "test"),
            new Resolution(EndpointKey.of(service, "POST", "/graphql"), List.of(), "B", "test"))
        : List.of();
    Endpoints e = Endpoints.withSpec(OpenApiSpec.load(spec())).prepend(batch);
    assertThat(e.resolveAll("g", get("/graphql"))).extracting(Resolution::operationId).containsExactly("A", "B");
    assertThat(e.resolve("g", get("/petclinic/api/owners/1/pets/2")).source()).isEqualTo("openapi");
  }

  @Test
  void keysCompareByTheirWholePathWhateverTheBasePath() {
    EndpointKey split = new EndpointKey("s", "GET", "/shop/v1", "/carts/{cartId}");
    EndpointKey whole = EndpointKey.of("s", "GET", "/shop/v1/carts/{cartId}");
    assertThat(split.sameEndpoint(whole)).isTrue();
    assertThat(whole.under("/shop/v1")).isEqualTo(split);
    assertThat(whole.under("/other")).isNull();
    assertThat(split.under("")).isEqualTo(whole);
    assertThat(split.display()).isEqualTo("GET /shop/v1/carts/{cartId}");
  }

  @Test
  void anUnreadableSpecIsOneLineNamingTheFile() {
    assertThatThrownBy(() -> OpenApiSpec.load(dir.resolve("missing.yaml")))
        .isInstanceOf(OpenApiSpec.InvalidSpecException.class)
        .hasMessageContaining("missing.yaml: cannot read");
  }
}
