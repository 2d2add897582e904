package dev.tapline.examples.clinic;

import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The clinic's tables, in memory. Each table numbers its rows from 1 with its own counter, like a
 * database sequence per table, so owner 1, pet 1 and visit 1 all exist at once and a deleted id is
 * never reused. Not thread-safe: {@link ClinicService} holds the store's monitor around every call.
 */
final class ClinicStore {
  record Owner(int id, String firstName, String lastName, String address, String city, String telephone,
      @Nullable String email, Instant createdAt) {}

  record Pet(int id, int ownerId, String name, LocalDate birthDate, int typeId) {}

  record PetType(int id, String name) {}

  record Visit(int id, int petId, LocalDate date, String description) {}

  record Specialty(int id, String name) {}

  record Vet(int id, String firstName, String lastName, List<Specialty> specialties) {}

  /** Rows by id, and the next id to hand out. */
  static final class Table<T> {
    private final TreeMap<Integer, T> rows = new TreeMap<>();
    private int lastId;

    int nextId() {
      return ++lastId;
    }

    T put(int id, T row) {
      rows.put(id, row);
      return row;
    }

    Optional<T> get(int id) {
      return Optional.ofNullable(rows.get(id));
    }

    boolean remove(int id) {
      return rows.remove(id) != null;
    }

    List<T> where(Predicate<? super T> filter) {
      return rows.values().stream().filter(filter).toList();
    }

    List<T> all() {
      return List.copyOf(rows.values());
    }
  }

  final Table<Owner> owners = new Table<>();
  final Table<Pet> pets = new Table<>();
  final Table<PetType> petTypes = new Table<>();
  final Table<Visit> visits = new Table<>();
  final Table<Vet> vets = new Table<>();

  /** The same rows at every start, after Spring PetClinic's sample data. */
  static ClinicStore seeded() {
    ClinicStore s = new ClinicStore();
    for (String name : List.of("cat", "dog", "lizard", "snake", "bird", "hamster")) {
      s.addPetType(name);
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    s.addOwner("George", "Franklin", "110 W. Liberty St.", "Madison", "6085551023", "george.franklin@example.com", now);
    s.addOwner("Betty", "Davis", "638 Cardinal Ave.", "Sun Prairie", "6085551749", null, now);
    s.addOwner("Eduardo", "Rodriquez", "2693 Commerce St.", "McFarland", "6085558763", null, now);
    s.addPet(1, "Leo", LocalDate.parse("2010-09-07"), 1);
    s.addPet(2, "Basil", LocalDate.parse("2012-08-06"), 6);
    s.addPet(3, "Rosy", LocalDate.parse("2011-04-17"), 2);
    s.addPet(3, "Jewel", LocalDate.parse("2010-03-07"), 2);
    s.addVisit(1, LocalDate.parse("2013-01-01"), "rabies shot");
    s.addVisit(3, LocalDate.parse("2013-01-04"), "neutered");
    Specialty radiology = new Specialty(1, "radiology");
    Specialty surgery = new Specialty(2, "surgery");
    Specialty dentistry = new Specialty(3, "dentistry");
    s.addVet("James", "Carter", List.of());
    s.addVet("Helen", "Leary", List.of(radiology));
    s.addVet("Linda", "Douglas", List.of(dentistry, surgery));
    s.addVet("Rafael", "Ortega", List.of(surgery));
    s.addVet("Henry", "Stevens", List.of(radiology));
    s.addVet("Sharon", "Jenkins", List.of());
    return s;
  }

  Owner addOwner(String firstName, String lastName, String address, String city, String telephone,
      @Nullable String email, Instant createdAt) {
    int id = owners.nextId();
    return owners.put(id, new Owner(id, firstName, lastName, address, city, telephone, email, createdAt));
  }

  PetType addPetType(String name) {
    int id = petTypes.nextId();
    return petTypes.put(id, new PetType(id, name));
  }

  Pet addPet(int ownerId, String name, LocalDate birthDate, int typeId) {
    int id = pets.nextId();
    return pets.put(id, new Pet(id, ownerId, name, birthDate, typeId));
  }

  Visit addVisit(int petId, LocalDate date, String description) {
    int id = visits.nextId();
    return visits.put(id, new Visit(id, petId, date, description));
  }

  private void addVet(String firstName, String lastName, List<Specialty> specialties) {
    int id = vets.nextId();
    vets.put(id, new Vet(id, firstName, lastName, specialties));
  }

  List<Pet> petsOf(int ownerId) {
    return pets.where(p -> p.ownerId() == ownerId);
  }

  List<Visit> visitsOf(int petId) {
    return visits.where(v -> v.petId() == petId);
  }

  /** Deletes the pet and its visits, as a foreign key with {@code ON DELETE CASCADE} would. */
  void deletePet(int petId) {
    visitsOf(petId).forEach(v -> visits.remove(v.id()));
    pets.remove(petId);
  }

  void deleteOwner(int ownerId) {
    petsOf(ownerId).forEach(p -> deletePet(p.id()));
    owners.remove(ownerId);
  }
}
