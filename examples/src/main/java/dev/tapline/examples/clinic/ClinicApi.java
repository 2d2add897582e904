package dev.tapline.examples.clinic;

import dev.tapline.examples.clinic.ClinicService.Version;
import dev.tapline.examples.clinic.ClinicStore.Owner;
import dev.tapline.examples.clinic.ClinicStore.Pet;
import dev.tapline.examples.clinic.ClinicStore.PetType;
import dev.tapline.examples.clinic.ClinicStore.Visit;
import dev.tapline.examples.clinic.Routes.Call;
import dev.tapline.examples.clinic.Routes.Reply;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The clinic's endpoints. Each handler runs with the store's monitor held; it looks up the
 * resources its path names (404), then checks the body (400 naming every bad field, including a
 * reference to a row that does not exist), then uniqueness (409).
 */
final class ClinicApi {
  private final Version version;
  private final ClinicStore store;

  ClinicApi(Version version, ClinicStore store) {
    this.version = version;
    this.store = store;
  }

  Routes routes() {
    Routes r = new Routes();
    r.route("/owners").on("GET", this::listOwners).on("POST", this::createOwner);
    r.route("/owners/{ownerId}").on("GET", this::getOwner).on("PUT", this::updateOwner).on("DELETE", this::deleteOwner);
    r.route("/owners/{ownerId}/pets").on("GET", this::listPets).on("POST", this::createPet);
    Routes.Route pet = r.route("/owners/{ownerId}/pets/{petId}").on("GET", this::getPet).on("PUT", this::updatePet);
    if (version == Version.V1) {
      pet.on("DELETE", this::deletePet); // v2 dropped the operation
    }
    r.route("/owners/{ownerId}/pets/{petId}/visits").on("GET", this::listVisits).on("POST", this::createVisit);
    r.route("/owners/{ownerId}/pets/{petId}/visits/{visitId}").on("GET", this::getVisit);
    r.route("/pettypes").on("GET", this::listPetTypes).on("POST", this::createPetType);
    r.route("/pettypes/{petTypeId}").on("GET", this::getPetType).on("PUT", this::updatePetType)
        .on("DELETE", this::deletePetType);
    r.route("/vets").on("GET", c -> Reply.ok(c.views().list(store.vets.all(), c.views()::vet)));
    r.route("/vets/{vetId}").on("GET", c -> Reply.ok(c.views().vet(
        store.vets.get(c.id(0)).orElseThrow(() -> Problem.notFound("vet " + c.id(0) + " not found")))));
    return r;
  }

  // owners

  private Reply listOwners(Call c) {
    String prefix = c.query().getOrDefault("lastName", "").toLowerCase(Locale.ROOT);
    return Reply.ok(c.views().list(
        store.owners.where(o -> o.lastName().toLowerCase(Locale.ROOT).startsWith(prefix)), c.views()::owner));
  }

  private Reply createOwner(Call c) {
    OwnerFields f = ownerFields(c);
    requireUniqueEmail(f.email(), 0);
    Owner o = store.addOwner(f.firstName(), f.lastName(), f.address(), f.city(), f.telephone(), f.email(),
        Instant.now().truncatedTo(ChronoUnit.MILLIS));
    return Reply.created(c.views().owner(o), Views.ownerPath(o.id()));
  }

  private Reply getOwner(Call c) {
    return Reply.ok(c.views().owner(owner(c.id(0))));
  }

  private Reply updateOwner(Call c) {
    Owner old = owner(c.id(0));
    OwnerFields f = ownerFields(c);
    requireUniqueEmail(f.email(), old.id());
    Owner o = store.owners.put(old.id(), new Owner(old.id(), f.firstName(), f.lastName(), f.address(), f.city(),
        f.telephone(), f.email(), old.createdAt()));
    return Reply.ok(c.views().owner(o));
  }

  private Reply deleteOwner(Call c) {
    store.deleteOwner(owner(c.id(0)).id());
    return Reply.noContent();
  }

  private record OwnerFields(String firstName, String lastName, String address, String city, String telephone,
      @Nullable String email) {}

  /** v2 renamed {@code telephone} to {@code phone}, in requests as in responses. */
  private OwnerFields ownerFields(Call c) {
    Fields f = c.fields();
    String phoneField = version == Version.V1 ? "telephone" : "phone";
    OwnerFields o = new OwnerFields(f.text("firstName"), f.text("lastName"), f.text("address"), f.text("city"),
        f.text(phoneField), f.optionalText("email"));
    if (f.valid(phoneField) && !o.telephone().matches("[0-9]{1,10}")) {
      f.reject(phoneField, "must be a number of at most 10 digits");
    }
    if (o.email() != null && !o.email().matches("[^@\\s]+@[^@\\s]+")) {
      f.reject("email", "must be a well-formed email address");
    }
    f.validate();
    return o;
  }

  private void requireUniqueEmail(@Nullable String email, int ownerId) {
    if (email != null && !store.owners.where(o -> o.id() != ownerId && email.equalsIgnoreCase(o.email())).isEmpty()) {
      throw Problem.conflict("an owner with email " + email + " already exists");
    }
  }

  private Owner owner(int id) {
    return store.owners.get(id).orElseThrow(() -> Problem.notFound("owner " + id + " not found"));
  }

  // pets

  private Reply listPets(Call c) {
    return Reply.ok(c.views().list(store.petsOf(owner(c.id(0)).id()), c.views()::pet));
  }

  private Reply createPet(Call c) {
    Owner o = owner(c.id(0));
    PetFields f = petFields(c);
    Pet p = store.addPet(o.id(), f.name(), f.birthDate(), f.typeId());
    return Reply.created(c.views().pet(p), Views.petPath(p));
  }

  private Reply getPet(Call c) {
    return Reply.ok(c.views().pet(pet(c)));
  }

  private Reply updatePet(Call c) {
    Pet old = pet(c);
    PetFields f = petFields(c);
    Pet p = store.pets.put(old.id(), new Pet(old.id(), old.ownerId(), f.name(), f.birthDate(), f.typeId()));
    return Reply.ok(c.views().pet(p));
  }

  private Reply deletePet(Call c) {
    store.deletePet(pet(c).id());
    return Reply.noContent();
  }

  private record PetFields(String name, LocalDate birthDate, int typeId) {}

  private PetFields petFields(Call c) {
    Fields f = c.fields();
    PetFields p = new PetFields(f.text("name"), f.date("birthDate", null), f.referenceId("type"));
    if (f.valid("birthDate") && p.birthDate().isAfter(LocalDate.now())) {
      f.reject("birthDate", "must be a past date");
    }
    if (f.valid("type.id") && store.petTypes.get(p.typeId()).isEmpty()) {
      f.reject("type.id", "pet type " + p.typeId() + " does not exist");
    }
    f.validate();
    return p;
  }

  /** The pet of {@code /owners/{ownerId}/pets/{petId}}: another owner's pet is not found here. */
  private Pet pet(Call c) {
    Owner o = owner(c.id(0));
    int petId = c.id(1);
    return store.pets.get(petId).filter(p -> p.ownerId() == o.id())
        .orElseThrow(() -> Problem.notFound("pet " + petId + " not found for owner " + o.id()));
  }

  // visits

  private Reply listVisits(Call c) {
    return Reply.ok(c.views().list(store.visitsOf(pet(c).id()), c.views()::visit));
  }

  /** {@code date} defaults to today, a server-generated value. */
  private Reply createVisit(Call c) {
    Pet p = pet(c);
    Fields f = c.fields();
    LocalDate date = f.date("date", LocalDate.now());
    String description = f.text("description");
    f.validate();
    Visit v = store.addVisit(p.id(), date, description);
    return Reply.created(c.views().visit(v), c.views().visitPath(v));
  }

  private Reply getVisit(Call c) {
    Pet p = pet(c);
    int visitId = c.id(2);
    Visit v = store.visits.get(visitId).filter(x -> x.petId() == p.id())
        .orElseThrow(() -> Problem.notFound("visit " + visitId + " not found for pet " + p.id()));
    return Reply.ok(c.views().visit(v));
  }

  // pet types

  private Reply listPetTypes(Call c) {
    return Reply.ok(c.views().list(store.petTypes.all(), c.views()::petType));
  }

  private Reply createPetType(Call c) {
    String name = petTypeName(c, 0);
    PetType t = store.addPetType(name);
    return Reply.created(c.views().petType(t), "/pettypes/" + t.id());
  }

  private Reply getPetType(Call c) {
    return Reply.ok(c.views().petType(petType(c.id(0))));
  }

  private Reply updatePetType(Call c) {
    PetType old = petType(c.id(0));
    String name = petTypeName(c, old.id());
    return Reply.ok(c.views().petType(store.petTypes.put(old.id(), new PetType(old.id(), name))));
  }

  /** A type still referenced by pets is a conflict, as a foreign key without cascade would make it. */
  private Reply deletePetType(Call c) {
    PetType t = petType(c.id(0));
    int used = store.pets.where(p -> p.typeId() == t.id()).size();
    if (used > 0) {
      throw Problem.conflict("pet type " + t.id() + " (" + t.name() + ") is used by " + used + " pet(s)");
    }
    store.petTypes.remove(t.id());
    return Reply.noContent();
  }

  /** The unique {@code name} of a pet type; another type of the same name (any case) is a 409. */
  private String petTypeName(Call c, int petTypeId) {
    Fields f = c.fields();
    String name = f.text("name");
    f.validate();
    if (!store.petTypes.where(t -> t.id() != petTypeId && t.name().equalsIgnoreCase(name)).isEmpty()) {
      throw Problem.conflict("a pet type named " + name + " already exists");
    }
    return name;
  }

  private PetType petType(int id) {
    return store.petTypes.get(id).orElseThrow(() -> Problem.notFound("pet type " + id + " not found"));
  }
}
