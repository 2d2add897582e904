package dev.tapline.testgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Headers;
import dev.tapline.core.Ids;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import dev.tapline.core.endpoint.EndpointKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Flows by provenance, not by coincidence: what a value is taken from, and from where never. */
class ProvenanceTest {
  private static long clock = 1_000_000;

  private static Exchange ex(String method, String path, String reqJson, int status, String respJson) {
    return new Exchange(Ids.newId(), clock++, 100, "clinic", "p", null, Exchange.BASELINE, null, null,
        new Request(method, "http", "127.0.0.1:9966", path, null,
            reqJson == null ? Headers.of("Host", "127.0.0.1:9966") : Headers.of("Host", "127.0.0.1:9966", "Content-Type", "application/json"),
            reqJson == null ? Body.empty() : Body.text("application/json", reqJson)),
        new Response(status, Headers.of("Content-Type", "application/json"), Body.text("application/json", respJson)),
        null, List.of());
  }

  /** Two tables numbering from 1: owner 1 and visit 1 share an id by coincidence. */
  private static List<Exchange> traffic() {
    List<Exchange> t = new ArrayList<>();
    t.add(ex("POST", "/clinic/api/owners", "{\"firstName\":\"Ann\",\"lastName\":\"Lee\",\"telephone\":\"6085551023\"}", 201,
        "{\"id\":1,\"firstName\":\"Ann\",\"lastName\":\"Lee\",\"telephone\":\"6085551023\"}"));
    t.add(ex("POST", "/clinic/api/owners", "{\"firstName\":\"Bo\",\"lastName\":\"Ng\",\"telephone\":\"6085551024\"}", 201,
        "{\"id\":2,\"firstName\":\"Bo\",\"lastName\":\"Ng\",\"telephone\":\"6085551024\"}"));
    t.add(ex("POST", "/clinic/api/owners", "{\"firstName\":\"Cy\",\"lastName\":\"Oz\",\"telephone\":\"6085551025\"}", 201,
        "{\"id\":3,\"firstName\":\"Cy\",\"lastName\":\"Oz\",\"telephone\":\"6085551025\"}"));
    t.add(ex("GET", "/clinic/api/pettypes", null, 200, "[{\"id\":1,\"name\":\"cat\"},{\"id\":2,\"name\":\"dog\"}]"));
    t.add(ex("POST", "/clinic/api/owners/1/pets", "{\"name\":\"Leo\",\"type\":{\"id\":2}}", 201,
        "{\"id\":1,\"name\":\"Leo\",\"type\":{\"id\":2,\"name\":\"dog\"}}"));
    t.add(ex("GET", "/clinic/api/owners/1/pets/1", null, 200, "{\"id\":1,\"name\":\"Leo\",\"type\":{\"id\":2,\"name\":\"dog\"}}"));
    t.add(ex("POST", "/clinic/api/visits", "{\"petId\":1,\"description\":\"rabies shot\"}", 201,
        "{\"id\":1,\"petId\":1,\"description\":\"rabies shot\"}"));
    t.add(ex("GET", "/clinic/api/owners/2", null, 200, "{\"id\":2,\"firstName\":\"Bo\"}"));
    return t;
  }

  private static Catalog catalog(List<Exchange> traffic) {
    GeneratorOptions o = GeneratorOptions.builder("x.y").build();
    Catalog c = new Catalog(o, dev.tapline.core.endpoint.Endpoints.heuristic());
    traffic.forEach(e -> c.accept(e, e.id()));
    return c;
  }

  @Test
  void aPathParameterIsFedByTheCreateOfTheResourceItNamesNeverByAnEqualSmallInteger() {
    Catalog c = catalog(traffic());
    Provenance p = new Provenance(c, java.util.Map.of());
    Catalog.Endpoint pet = c.endpoints.get(EndpointKey.of("clinic", "GET", "/clinic/api/owners/{ownerId}/pets/{petId}"));
    Provenance.Producer owner = p.forParam(pet, 0);
    Provenance.Producer petProducer = p.forParam(pet, 1);
    assertThat(owner.endpoint().key.display()).isEqualTo("POST /clinic/api/owners");
    assertThat(petProducer.endpoint().key.display()).isEqualTo("POST /clinic/api/owners/{ownerId}/pets");
    // visit 1, owner 1 and pet 1 are all "1": the visit create is never the pet's producer.
    assertThat(petProducer.endpoint().key.display()).doesNotContain("visits");
  }

  @Test
  void aBodyReferenceIsFedByTheResourceItNamesCreatedOrReadFirst() {
    Catalog c = catalog(traffic());
    Provenance p = new Provenance(c, java.util.Map.of());
    var refs = Provenance.references(Catalog.parse("{\"name\":\"Leo\",\"type\":{\"id\":2},\"ownerId\":1,\"tags\":[{\"id\":5}]}"));
    assertThat(refs).extracting(Provenance.Ref::resource).containsExactly("type", "owner", "tag");
    Provenance.Producer type = p.forReference(EndpointKey.of("clinic", "POST", "/clinic/api/owners/{ownerId}/pets"), refs.get(0));
    assertThat(type.kind()).isEqualTo(Provenance.Kind.READ);
    assertThat(type.endpoint().key.display()).isEqualTo("GET /clinic/api/pettypes");
    assertThat(type.extractPath()).isEqualTo("id[0]");
    Provenance.Producer visitsPet = p.forReference(EndpointKey.of("clinic", "POST", "/clinic/api/visits"),
        Provenance.references(Catalog.parse("{\"petId\":1}")).get(0));
    assertThat(visitsPet.endpoint().key.display()).isEqualTo("POST /clinic/api/owners/{ownerId}/pets");
  }

  @Test
  void generatedTestsCreateTheirOwnParentsAndSendNoRecordedIds() {
    GenerationResult r = TestGenerator.create(GeneratorOptions.builder("x.y").build()).generate(traffic());
    String pets = r.files().entrySet().stream().filter(e -> e.getKey().endsWith("OwnersContractTest.java"))
        .map(java.util.Map.Entry::getValue).findFirst().orElseThrow();
    // The pet of owner 1 is read by a test that creates an owner, then a pet of a type it read first.
    assertThat(pets).contains(".post(\"/owners\")", ".post(\"/owners/{ownerId}/pets\")", ".get(\"/pettypes\")",
        "${typeId}", ".get(\"/owners/{ownerId}/pets/{petId}\")");
    assertThat(pets).doesNotContain(".pathParam(\"ownerId\", \"1\")", ".pathParam(\"petId\", \"1\")",
        ".pathParam(\"ownerId\", \"2\")");
  }

  @Test
  void theBasePathIsWhatEveryPathSharesAboveTheResources() {
    assertThat(BasePaths.infer(List.of(EndpointKey.of("s", "GET", "/shop/v1/carts/{cartId}"),
        EndpointKey.of("s", "POST", "/shop/v1/users")))).isEqualTo("/shop/v1");
    assertThat(BasePaths.infer(List.of(EndpointKey.of("s", "GET", "/orders"),
        EndpointKey.of("s", "GET", "/orders/{orderId}")))).isEmpty();
    assertThat(BasePaths.infer(List.of(EndpointKey.of("s", "GET", "/clinic/api/owners/{ownerId}"))))
        .isEqualTo("/clinic/api");
    assertThat(BasePaths.infer(List.of(EndpointKey.of("s", "GET", "/api/v1/orders")))).isEqualTo("/api/v1");
    assertThat(BasePaths.infer(List.of(new EndpointKey("s", "GET", "/petclinic/api", "/owners")))).isEqualTo("/petclinic/api");
    assertThat(BasePaths.normalize("shop/v1/")).isEqualTo("/shop/v1");
  }
}
