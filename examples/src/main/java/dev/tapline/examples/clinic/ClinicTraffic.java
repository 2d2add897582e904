package dev.tapline.examples.clinic;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapline.examples.DemoTraffic;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Drives a realistic, seeded mix of calls against the clinic API ({@link ClinicService}): it first
 * lists pet types and owners as a client would, then creates owners, pets that reference a type,
 * visits, reads, lists, updates and deletes them, and makes the errors real clients make: unknown
 * small ids (404), a duplicate pet type (409), a missing required field or an unknown type id
 * (400). The same seed against a freshly started service sends the same requests.
 *
 * <pre>{@code
 * try (ClinicService clinic = ClinicService.start(ClinicService.Version.V1, 0)) {
 *   DemoTraffic.Result r = ClinicTraffic.run(clinic.baseUri(), 200, 7L, null);
 * }
 * }</pre>
 *
 * <p>It always speaks v1 (an owner's {@code telephone}), so against {@link ClinicService.Version#V2}
 * owner writes fail with 400 and pet deletes with 405: the drift a sandbox shows.
 */
public final class ClinicTraffic {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] FIRST = {"Maria", "Jean", "Peter", "Carlos", "Aiko", "Olu", "Sofia", "Tomas"};
  private static final String[] LAST = {"Escobito", "Coleman", "McTavish", "Schroeder", "Tanaka", "Adeyemi", "Novak", "Black"};
  private static final String[] STREETS = {"345 Maple St.", "105 N. Lake St.", "2387 S. Fair Way", "14 Elm Rd.", "77 Harbor Ln."};
  private static final String[] CITIES = {"Madison", "Monona", "Waunakee", "Windsor", "Sun Prairie"};
  private static final String[] PET_NAMES = {"Lucky", "Mulligan", "Freddy", "Sly", "Iggy", "George", "Max", "Samantha"};
  private static final String[] NEW_TYPES = {"ferret", "rabbit", "parrot", "turtle", "guinea pig", "horse"};
  private static final String[] REASONS = {"rabies shot", "neutered", "spayed", "check-up", "dental cleaning"};

  private record PetRef(int owner, int pet) {}

  private record VisitRef(PetRef pet, int visit) {}

  private record Reply(int status, @Nullable JsonNode body) {}

  private final String base;
  private final @Nullable String routingKey;
  private final HttpClient client;
  private final Random random;
  private final List<Integer> owners = new ArrayList<>();
  private final List<PetRef> pets = new ArrayList<>();
  private final List<VisitRef> visits = new ArrayList<>();
  private final List<Integer> types = new ArrayList<>();
  private final List<String> typeNames = new ArrayList<>();
  private final Map<Integer, Integer> byStatus = new TreeMap<>();
  private final Map<String, Integer> byCall = new TreeMap<>();
  private boolean ownersListed;
  private int maxOwner;
  private int maxPet;
  private int maxType;
  private int newTypes;
  private int emails;
  private int failures;
  private int sent;

  private ClinicTraffic(URI base, @Nullable String routingKey, long seed) {
    String b = base.toString();
    this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    this.routingKey = routingKey;
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    this.random = new Random(seed);
  }

  /**
   * @param base the API's base, context path included ({@link ClinicService#baseUri()}, or a proxy's
   *     address + {@code /clinic/api})
   * @param routingKey sent as W3C baggage {@code sd-routing-key} when not {@code null}
   */
  public static DemoTraffic.Result run(URI base, int requests, long seed, @Nullable String routingKey) {
    return run(base, requests, seed, routingKey, n -> {});
  }

  /** @param progress called with the number of requests sent so far */
  public static DemoTraffic.Result run(URI base, int requests, long seed, @Nullable String routingKey,
      IntConsumer progress) {
    requireNonNull(base, "base");
    requireNonNull(progress, "progress");
    if (requests < 1) {
      throw new IllegalArgumentException("requests must be positive: " + requests);
    }
    ClinicTraffic t = new ClinicTraffic(base, routingKey, seed);
    try (HttpClient client = t.client) {
      while (t.sent < requests) {
        t.step(requests - t.sent);
        progress.accept(t.sent);
      }
    }
    return new DemoTraffic.Result(t.sent, Map.copyOf(t.byStatus), Map.copyOf(t.byCall), t.failures);
  }

  private void step(int budget) {
    if (types.isEmpty()) {
      learnTypes(call("list-pettypes", "GET", "/pettypes", null));
      return;
    }
    if (!ownersListed) {
      ownersListed = true;
      learnOwners(call("list-owners", "GET", "/owners", null));
      return;
    }
    int roll = random.nextInt(100);
    if (owners.isEmpty() || roll < 10) {
      createOwner();
    } else if (roll < 17) {
      call("get-owner", "GET", "/owners/" + pick(owners), null);
    } else if (roll < 21) {
      String filter = random.nextBoolean() ? "" : "?lastName=" + LAST[random.nextInt(LAST.length)].substring(0, 3);
      learnOwners(call("list-owners", "GET", "/owners" + filter, null));
    } else if (roll < 25) {
      call("update-owner", "PUT", "/owners/" + pick(owners), ownerBody(true, false).toString());
    } else if (pets.isEmpty() || roll < 35) {
      createPet();
    } else if (roll < 42) {
      call("get-pet", "GET", petPath(pick(pets)), null);
    } else if (roll < 46) {
      call("list-pets", "GET", "/owners/" + pick(owners) + "/pets", null);
    } else if (roll < 50) {
      call("update-pet", "PUT", petPath(pick(pets)), petBody(pick(types)).toString());
    } else if (roll < 54 && budget > 1) {
      PetRef p = pets.get(random.nextInt(pets.size()));
      if (call("delete-pet", "DELETE", petPath(p), null).status() == 204) {
        forgetPet(p);
        call("get-deleted-pet", "GET", petPath(p), null);
      }
    } else if (roll < 62) {
      createVisit();
    } else if (roll < 66) {
      call("list-visits", "GET", petPath(pick(pets)) + "/visits", null);
    } else if (roll < 69 && !visits.isEmpty()) {
      VisitRef v = pick(visits);
      call("get-visit", "GET", petPath(v.pet()) + "/visits/" + v.visit(), null);
    } else if (roll < 73) {
      learnTypes(call("list-pettypes", "GET", "/pettypes", null));
    } else if (roll < 76) {
      call("get-pettype", "GET", "/pettypes/" + pick(types), null);
    } else if (roll < 78) {
      createPetType();
    } else if (roll < 80) {
      ObjectNode body = JSON.createObjectNode().put("name", pick(typeNames));
      call("create-pettype-duplicate", "POST", "/pettypes", body.toString());
    } else if (roll < 84) {
      if (random.nextBoolean()) {
        call("list-vets", "GET", "/vets", null);
      } else {
        call("get-vet", "GET", "/vets/" + (1 + random.nextInt(6)), null);
      }
    } else if (roll < 91) {
      unknownIds();
    } else if (roll < 94) {
      call("create-owner-invalid", "POST", "/owners", ownerBody(false, false).toString());
    } else if (roll < 96) {
      call("create-pet-unknown-type", "POST", "/owners/" + pick(owners) + "/pets",
          petBody(maxType + 100 + random.nextInt(50)).toString());
    } else if (budget > 1 && owners.size() > 3) {
      // a few owners always stay, so a build that refuses new owners still has some to work on
      int owner = owners.get(random.nextInt(owners.size()));
      if (call("delete-owner", "DELETE", "/owners/" + owner, null).status() == 204) {
        owners.remove(Integer.valueOf(owner));
        new ArrayList<>(pets).stream().filter(p -> p.owner() == owner).forEach(this::forgetPet);
        call("get-deleted-owner", "GET", "/owners/" + owner, null);
      }
    } else {
      call("get-owner", "GET", "/owners/" + pick(owners), null);
    }
  }

  /** Small ids that do not exist yet: past the largest one seen, far from the next one handed out. */
  private void unknownIds() {
    switch (random.nextInt(3)) {
      case 0 -> call("get-owner-unknown", "GET", "/owners/" + (maxOwner + 100 + random.nextInt(50)), null);
      case 1 -> call("get-pet-unknown", "GET",
          "/owners/" + pick(owners) + "/pets/" + (maxPet + 100 + random.nextInt(50)), null);
      default -> call("get-pettype-unknown", "GET", "/pettypes/" + (maxType + 100 + random.nextInt(50)), null);
    }
  }

  private void createOwner() {
    Reply r = call("create-owner", "POST", "/owners", ownerBody(true, random.nextInt(3) == 0).toString());
    if (r.status() == 201 && r.body() != null) {
      learnOwner(r.body());
    }
  }

  private void createPet() {
    int owner = pick(owners);
    Reply r = call("create-pet", "POST", "/owners/" + owner + "/pets", petBody(pick(types)).toString());
    if (r.status() == 201 && r.body() != null) {
      learnPet(r.body());
    }
  }

  private void createVisit() {
    PetRef p = pick(pets);
    ObjectNode body = JSON.createObjectNode();
    if (random.nextBoolean()) {
      body.put("date", LocalDate.of(2024, 1, 1).plusDays(random.nextInt(365)).toString());
    }
    body.put("description", REASONS[random.nextInt(REASONS.length)]);
    Reply r = call("create-visit", "POST", petPath(p) + "/visits", body.toString());
    if (r.status() == 201 && r.body() != null) {
      visits.add(new VisitRef(p, r.body().path("id").asInt()));
    }
  }

  private void createPetType() {
    int n = newTypes++;
    String name = NEW_TYPES[n % NEW_TYPES.length] + (n < NEW_TYPES.length ? "" : " " + (n / NEW_TYPES.length + 1));
    Reply r = call("create-pettype", "POST", "/pettypes", JSON.createObjectNode().put("name", name).toString());
    if (r.status() == 201 && r.body() != null) {
      learnType(r.body());
    }
  }

  /** A v1 owner; without {@code complete} the required {@code lastName} is missing. */
  private ObjectNode ownerBody(boolean complete, boolean withEmail) {
    String first = FIRST[random.nextInt(FIRST.length)];
    String last = LAST[random.nextInt(LAST.length)];
    ObjectNode b = JSON.createObjectNode().put("firstName", first);
    if (complete) {
      b.put("lastName", last);
    }
    b.put("address", STREETS[random.nextInt(STREETS.length)]);
    b.put("city", CITIES[random.nextInt(CITIES.length)]);
    b.put("telephone", "608555" + (1000 + random.nextInt(9000)));
    if (withEmail) {
      b.put("email", (first + "." + last + "." + ++emails + "@example.com").toLowerCase(Locale.ROOT));
    }
    return b;
  }

  private ObjectNode petBody(int typeId) {
    ObjectNode b = JSON.createObjectNode().put("name", PET_NAMES[random.nextInt(PET_NAMES.length)]);
    b.put("birthDate", LocalDate.of(2012, 1, 1).plusDays(random.nextInt(4000)).toString());
    b.putObject("type").put("id", typeId);
    return b;
  }

  private void learnTypes(Reply r) {
    if (r.status() == 200 && r.body() != null && r.body().isArray()) {
      r.body().forEach(this::learnType);
    }
  }

  private void learnType(JsonNode t) {
    int id = t.path("id").asInt();
    if (id > 0 && !types.contains(id)) {
      types.add(id);
      typeNames.add(t.path("name").asText());
      maxType = Math.max(maxType, id);
    }
  }

  private void learnOwners(Reply r) {
    if (r.status() == 200 && r.body() != null && r.body().isArray()) {
      r.body().forEach(this::learnOwner);
    }
  }

  private void learnOwner(JsonNode o) {
    int id = o.path("id").asInt();
    if (id > 0 && !owners.contains(id)) {
      owners.add(id);
      maxOwner = Math.max(maxOwner, id);
      o.path("pets").forEach(this::learnPet);
    }
  }

  private void learnPet(JsonNode p) {
    PetRef ref = new PetRef(p.path("ownerId").asInt(), p.path("id").asInt());
    if (ref.pet() > 0 && !pets.contains(ref)) {
      pets.add(ref);
      maxPet = Math.max(maxPet, ref.pet());
      p.path("visits").forEach(v -> visits.add(new VisitRef(ref, v.path("id").asInt())));
    }
  }

  private void forgetPet(PetRef p) {
    pets.remove(p);
    visits.removeIf(v -> v.pet().equals(p));
  }

  private static String petPath(PetRef p) {
    return "/owners/" + p.owner() + "/pets/" + p.pet();
  }

  private <T> T pick(List<T> from) {
    return from.get(random.nextInt(from.size()));
  }

  private Reply call(String kind, String method, String path, @Nullable String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(10))
        .header("Accept", "application/json")
        .header("Authorization", "Bearer clinic-demo-token")
        .header("User-Agent", "tapline-clinic-traffic");
    if (routingKey != null) {
      b.header("baggage", "sd-routing-key=" + routingKey);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    sent++;
    byCall.merge(kind, 1, Integer::sum);
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      byStatus.merge(r.statusCode(), 1, Integer::sum);
      JsonNode json = null;
      if (r.body() != null && !r.body().isEmpty()) {
        try {
          json = JSON.readTree(r.body());
        } catch (IOException e) {
          json = null;
        }
      }
      return new Reply(r.statusCode(), json);
    } catch (IOException e) {
      failures++;
      return new Reply(-1, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
