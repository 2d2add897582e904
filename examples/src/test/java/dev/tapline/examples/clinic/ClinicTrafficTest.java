package dev.tapline.examples.clinic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.examples.DemoTraffic;
import dev.tapline.examples.clinic.ClinicService.Version;
import org.junit.jupiter.api.Test;

class ClinicTrafficTest {
  private static DemoTraffic.Result runAgainstAFreshService(Version version, int requests, long seed) {
    try (ClinicService clinic = ClinicService.start(version, 0)) {
      return ClinicTraffic.run(clinic.baseUri(), requests, seed, "clinic-test");
    }
  }

  @Test
  void drivesAMixOfCallsAndTheErrorsRealClientsMake() {
    DemoTraffic.Result r = runAgainstAFreshService(Version.V1, 300, 7L);
    assertThat(r.requests()).isEqualTo(300);
    assertThat(r.failures()).isZero();
    assertThat(r.byStatus()).containsKeys(200, 201, 204, 400, 404, 409).doesNotContainKeys(405, 415, 500);
    assertThat(r.byCall()).containsKeys("list-pettypes", "list-owners", "create-owner", "get-owner", "update-owner",
        "create-pet", "get-pet", "update-pet", "delete-pet", "create-visit", "list-visits", "create-pettype",
        "create-pettype-duplicate", "create-owner-invalid", "create-pet-unknown-type", "list-vets");
    assertThat(r.byCall().keySet()).anyMatch(k -> k.endsWith("-unknown"));
  }

  @Test
  void sendsTheSameRequestsForTheSameSeed() {
    DemoTraffic.Result first = runAgainstAFreshService(Version.V1, 150, 11L);
    DemoTraffic.Result second = runAgainstAFreshService(Version.V1, 150, 11L);
    assertThat(second).isEqualTo(first);
    assertThat(runAgainstAFreshService(Version.V1, 150, 12L).byCall()).isNotEqualTo(first.byCall());
  }

  @Test
  void speaksV1SoTheSandboxAnswersWithItsContractChanges() {
    DemoTraffic.Result r = runAgainstAFreshService(Version.V2, 300, 7L);
    assertThat(r.failures()).isZero();
    assertThat(r.byStatus()).containsKeys(200, 201, 400, 404, 405, 409).doesNotContainKey(500);
  }

  @Test
  void stopsAtTheRequestBudget() {
    assertThat(runAgainstAFreshService(Version.V1, 1, 1L).byCall()).containsOnlyKeys("list-pettypes");
  }
}
