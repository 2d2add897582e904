package dev.tapline.examples.clinic;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapline.examples.clinic.ClinicService.Version;
import dev.tapline.examples.clinic.ClinicStore.Owner;
import dev.tapline.examples.clinic.ClinicStore.Pet;
import dev.tapline.examples.clinic.ClinicStore.PetType;
import dev.tapline.examples.clinic.ClinicStore.Vet;
import dev.tapline.examples.clinic.ClinicStore.Visit;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.function.Function;

/**
 * The version-specific JSON of each resource, with HAL-like {@code _links} built from the request's
 * host. Owners embed their pets, pets their visits; a pet's type is a reference ({@code id} and
 * {@code name}, no links). Optional fields that are unset are left out, not {@code null}.
 */
record Views(Version version, Links links, ClinicStore store) {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static String ownerPath(int ownerId) {
    return "/owners/" + ownerId;
  }

  static String petPath(Pet pet) {
    return ownerPath(pet.ownerId()) + "/pets/" + pet.id();
  }

  String visitPath(Visit visit) {
    return petPath(store.pets.get(visit.petId()).orElseThrow()) + "/visits/" + visit.id();
  }

  ObjectNode owner(Owner o) {
    ObjectNode n = NODES.objectNode();
    n.put("id", o.id());
    n.put("firstName", o.firstName());
    n.put("lastName", o.lastName());
    n.put("address", o.address());
    n.put("city", o.city());
    n.put(version == Version.V1 ? "telephone" : "phone", o.telephone());
    if (o.email() != null) {
      n.put("email", o.email());
    }
    n.put("createdAt", o.createdAt().toString());
    n.set("pets", list(store.petsOf(o.id()), this::pet));
    links(n, ownerPath(o.id()), "pets", ownerPath(o.id()) + "/pets");
    return n;
  }

  ObjectNode pet(Pet p) {
    ObjectNode n = NODES.objectNode();
    n.put("id", p.id());
    n.put("name", p.name());
    if (version == Version.V1) {
      n.put("birthDate", p.birthDate().toString());
    } else {
      n.put("birthDate", p.birthDate().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
    }
    PetType type = store.petTypes.get(p.typeId()).orElseThrow();
    n.putObject("type").put("id", type.id()).put("name", type.name());
    n.put("ownerId", p.ownerId());
    n.set("visits", list(store.visitsOf(p.id()), this::visit));
    links(n, petPath(p), "owner", ownerPath(p.ownerId()), "visits", petPath(p) + "/visits");
    return n;
  }

  ObjectNode visit(Visit v) {
    ObjectNode n = NODES.objectNode();
    n.put("id", v.id());
    n.put("date", v.date().toString());
    n.put("description", v.description());
    n.put("petId", v.petId());
    String pet = petPath(store.pets.get(v.petId()).orElseThrow());
    links(n, pet + "/visits/" + v.id(), "pet", pet);
    return n;
  }

  ObjectNode petType(PetType t) {
    ObjectNode n = NODES.objectNode();
    n.put("id", t.id());
    n.put("name", t.name());
    links(n, "/pettypes/" + t.id());
    return n;
  }

  ObjectNode vet(Vet v) {
    ObjectNode n = NODES.objectNode();
    n.put("id", v.id());
    n.put("firstName", v.firstName());
    n.put("lastName", v.lastName());
    ArrayNode specialties = n.putArray("specialties");
    v.specialties().forEach(s -> specialties.addObject().put("id", s.id()).put("name", s.name()));
    links(n, "/vets/" + v.id());
    return n;
  }

  <T> ArrayNode list(Collection<T> rows, Function<T, ObjectNode> view) {
    ArrayNode a = NODES.arrayNode();
    rows.forEach(r -> a.add(view.apply(r)));
    return a;
  }

  /** {@code _links}: {@code self}, then name/path pairs. */
  private void links(ObjectNode n, String self, String... more) {
    ObjectNode l = n.putObject("_links");
    l.putObject("self").put("href", links.api(self));
    for (int i = 0; i < more.length; i += 2) {
      l.putObject(more[i]).put("href", links.api(more[i + 1]));
    }
  }
}
