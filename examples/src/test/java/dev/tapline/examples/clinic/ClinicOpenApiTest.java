package dev.tapline.examples.clinic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapline.core.endpoint.OpenApiSpec;
import dev.tapline.core.endpoint.Resolution;
import dev.tapline.examples.clinic.ClinicService.Version;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem.HttpMethod;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAPI document parses, names every v1 operation, and describes what v1 actually answers. */
class ClinicOpenApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static OpenAPI parse() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(true);
    SwaggerParseResult r = new OpenAPIV3Parser().readContents(ClinicService.openApiYaml(), null, options);
    assertThat(r.getMessages()).isEmpty();
    assertThat(r.getOpenAPI()).isNotNull();
    return r.getOpenAPI();
  }

  @Test
  void servesTheDocumentThatIsOnTheClasspath() throws Exception {
    try (ClinicService clinic = ClinicService.start(Version.V1, 0); HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(clinic.baseUri() + "/openapi.yaml")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/yaml");
      String resource;
      try (var in = ClinicService.class.getResourceAsStream("/dev/tapline/examples/clinic/openapi.yaml")) {
        resource = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(r.body()).isEqualTo(resource).isEqualTo(ClinicService.openApiYaml());
    }
  }

  @Test
  void parsesWithSwaggerParserAndTypesEveryIdAsInt32() {
    OpenAPI api = parse();
    assertThat(api.getOpenapi()).startsWith("3.0");
    assertThat(api.getServers()).singleElement().extracting(s -> s.getUrl()).isEqualTo("/clinic/api");
    Set<String> operationIds = new HashSet<>();
    api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
      assertThat(op.getOperationId()).as(method + " " + path).isNotBlank();
      assertThat(operationIds.add(op.getOperationId())).as("unique " + op.getOperationId()).isTrue();
      List<Parameter> params = new ArrayList<>();
      if (item.getParameters() != null) {
        params.addAll(item.getParameters());
      }
      if (op.getParameters() != null) {
        params.addAll(op.getParameters());
      }
      params.stream().filter(p -> p.getIn().equals("path")).forEach(p -> {
        assertThat(p.getSchema().getType()).as(p.getName()).isEqualTo("integer");
        assertThat(p.getSchema().getFormat()).as(p.getName()).isEqualTo("int32");
      });
      assertThat(op.getResponses().keySet()).as(method + " " + path).anyMatch(code -> code.startsWith("2"));
    }));
    assertThat(operationIds).hasSize(20);
  }

  @Test
  void documentsExactlyTheOperationsV1Serves() throws Exception {
    Path file = Files.writeString(dir.resolve("openapi.yaml"), ClinicService.openApiYaml());
    OpenApiSpec spec = OpenApiSpec.load(file);
    assertThat(spec.basePath()).isEqualTo("/clinic/api");
    List<String> documented = spec.operations().stream().map(op -> op.method() + " " + op.template()).toList();
    List<String> served = new ClinicApi(Version.V1, ClinicStore.seeded()).routes().operations();
    assertThat(documented).containsExactlyInAnyOrderElementsOf(served);
    List<String> servedByV2 = new ClinicApi(Version.V2, ClinicStore.seeded()).routes().operations();
    assertThat(documented).containsAll(servedByV2).contains("DELETE /owners/{ownerId}/pets/{petId}");
    assertThat(servedByV2).doesNotContain("DELETE /owners/{ownerId}/pets/{petId}");

    Resolution r = spec.match("clinic", "GET", "/clinic/api/owners/1/pets/2/visits/3");
    assertThat(r).isNotNull();
    assertThat(r.operationId()).isEqualTo("getPetVisit");
    assertThat(r.paramValues()).containsExactly("1", "2", "3");
  }

  /** One call and what came back. */
  private record Sample(String method, String path, int status, @Nullable String contentType,
      @Nullable String location, String body) {}

  private static List<Sample> exercise(ClinicService clinic) throws Exception {
    String owner = """
        {"firstName":"Maria","lastName":"Escobito","address":"345 Maple St.","city":"Madison","telephone":"6085557683",\
        "email":"maria@example.com"}""";
    String pet = "{\"name\":\"Leo\",\"birthDate\":\"2019-05-01\",\"type\":{\"id\":2}}";
    String[][] calls = {
        {"GET", "/owners"}, {"GET", "/owners?lastName=Da"}, {"POST", "/owners", owner}, {"GET", "/owners/4"},
        {"PUT", "/owners/4", owner}, {"POST", "/owners", owner}, {"POST", "/owners", "{\"firstName\":\"x\"}"},
        {"GET", "/owners/99"}, {"POST", "/owners/4/pets", pet}, {"GET", "/owners/4/pets"}, {"GET", "/owners/4/pets/5"},
        {"PUT", "/owners/4/pets/5", pet}, {"POST", "/owners/4/pets", "{\"name\":\"Leo\",\"birthDate\":\"x\",\"type\":{\"id\":99}}"},
        {"POST", "/owners/4/pets/5/visits", "{\"description\":\"check-up\"}"},
        {"POST", "/owners/4/pets/5/visits", "{\"date\":\"2024-01-02\",\"description\":\"spayed\"}"},
        {"GET", "/owners/4/pets/5/visits"}, {"GET", "/owners/4/pets/5/visits/3"}, {"GET", "/owners/4/pets/5/visits/1"},
        {"GET", "/owners/1"}, {"GET", "/owners/3"}, {"GET", "/pettypes"}, {"POST", "/pettypes", "{\"name\":\"ferret\"}"},
        {"POST", "/pettypes", "{\"name\":\"cat\"}"}, {"GET", "/pettypes/7"}, {"PUT", "/pettypes/7", "{\"name\":\"ferrets\"}"},
        {"DELETE", "/pettypes/1"}, {"DELETE", "/pettypes/7"}, {"GET", "/pettypes/7"}, {"GET", "/vets"}, {"GET", "/vets/3"},
        {"GET", "/vets/9"}, {"DELETE", "/owners/4/pets/5"}, {"DELETE", "/owners/4"}, {"DELETE", "/owners/4"},
    };
    List<Sample> out = new ArrayList<>();
    try (HttpClient http = HttpClient.newHttpClient()) {
      for (String[] c : calls) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(clinic.baseUri() + c[1]));
        if (c.length > 2) {
          b.header("Content-Type", "application/json").method(c[0], HttpRequest.BodyPublishers.ofString(c[2]));
        } else {
          b.method(c[0], HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        out.add(new Sample(c[0], c[1], r.statusCode(), r.headers().firstValue("Content-Type").orElse(null),
            r.headers().firstValue("Location").orElse(null), r.body()));
      }
    }
    return out;
  }

  @Test
  void describesEveryStatusAndBodyV1Answers() throws Exception {
    OpenApiSpec spec = OpenApiSpec.load(Files.writeString(dir.resolve("openapi.yaml"), ClinicService.openApiYaml()));
    OpenAPI api = parse();
    try (ClinicService clinic = ClinicService.start(Version.V1, 0)) {
      List<Sample> samples = exercise(clinic);
      assertThat(samples).extracting(Sample::status).contains(200, 201, 204, 400, 404, 409);
      for (Sample s : samples) {
        assertThat(violations(spec, api, s)).as(s.method() + " " + s.path() + " -> " + s.status() + " " + s.body()).isEmpty();
      }
    }
  }

  @Test
  void findsTheV2ChangesWhereTheDocumentSaysV1() throws Exception {
    OpenApiSpec spec = OpenApiSpec.load(Files.writeString(dir.resolve("openapi.yaml"), ClinicService.openApiYaml()));
    OpenAPI api = parse();
    try (ClinicService clinic = ClinicService.start(Version.V2, 0)) {
      List<String> all = new ArrayList<>();
      for (Sample s : exercise(clinic)) {
        all.addAll(violations(spec, api, s));
      }
      assertThat(all).anyMatch(v -> v.contains("telephone: required"))
          .anyMatch(v -> v.contains("phone: not documented"))
          .anyMatch(v -> v.contains("birthDate: expected string"))
          .anyMatch(v -> v.contains("DELETE /owners/4/pets/5 -> 405: not documented"));
    }
  }

  private static List<String> violations(OpenApiSpec spec, OpenAPI api, Sample s) throws Exception {
    String where = s.method() + " " + s.path().replaceFirst("\\?.*", "") + " -> " + s.status();
    Resolution r = spec.match("clinic", s.method(), "/clinic/api" + s.path().replaceFirst("\\?.*", ""));
    if (r == null) {
      return List.of(where + ": no operation");
    }
    Operation op = api.getPaths().get(r.key().template()).readOperationsMap().get(HttpMethod.valueOf(s.method()));
    ApiResponse response = op.getResponses().get(String.valueOf(s.status()));
    if (response == null) {
      return List.of(where + ": not documented");
    }
    List<String> out = new ArrayList<>();
    if (response.getHeaders() != null && response.getHeaders().containsKey("Location") && s.location() == null) {
      out.add(where + ": no Location header");
    }
    if (response.getContent() == null) {
      if (!s.body().isEmpty()) {
        out.add(where + ": a body where none is documented");
      }
      return out;
    }
    MediaType media = response.getContent().get(s.contentType());
    if (media == null) {
      out.add(where + ": content type " + s.contentType() + " not in " + response.getContent().keySet());
      return out;
    }
    check(JSON.readTree(s.body()), media.getSchema(), where + " $", out);
    return out;
  }

  /**
   * A strict reading of the schema: required fields present, no field it does not list, types and
   * formats as written.
   */
  private static void check(JsonNode n, Schema<?> schema, String at, List<String> out) {
    String type = schema.getType();
    if ("object".equals(type) || schema.getProperties() != null) {
      if (!n.isObject()) {
        out.add(at + ": expected object");
        return;
      }
      if (schema.getRequired() != null) {
        schema.getRequired().stream().filter(f -> !n.has(f)).forEach(f -> out.add(at + "." + f + ": required, missing"));
      }
      n.fieldNames().forEachRemaining(f -> {
        Schema<?> p = schema.getProperties() == null ? null : schema.getProperties().get(f);
        if (p == null && schema.getAdditionalProperties() instanceof Schema<?> extra) {
          p = extra;
        }
        if (p == null) {
          out.add(at + "." + f + ": not documented");
        } else {
          check(n.get(f), p, at + "." + f, out);
        }
      });
      return;
    }
    if ("array".equals(type)) {
      if (!n.isArray()) {
        out.add(at + ": expected array");
        return;
      }
      for (int i = 0; i < n.size(); i++) {
        check(n.get(i), schema.getItems(), at + "[" + i + "]", out);
      }
      return;
    }
    if ("integer".equals(type)) {
      if (!n.isIntegralNumber() || ("int32".equals(schema.getFormat()) && !n.canConvertToInt())) {
        out.add(at + ": expected " + schema.getFormat() + " integer, got " + n);
      }
      return;
    }
    if ("string".equals(type)) {
      if (!n.isTextual()) {
        out.add(at + ": expected string, got " + n);
        return;
      }
      String v = n.asText();
      try {
        switch (String.valueOf(schema.getFormat())) {
          case "date" -> LocalDate.parse(v);
          case "date-time" -> OffsetDateTime.parse(v);
          case "uri" -> URI.create(v);
          default -> { }
        }
      } catch (RuntimeException e) {
        out.add(at + ": not a " + schema.getFormat() + ": " + v);
      }
    }
  }
}
