package dev.tapline.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackgroundTest {
  @Test
  void indexingPausesOnlyWhileOtherProcessesKeepTheCpusBusy() {
    // 2 CPUs for 1 s = 200 ticks.
    assertThat(Background.Pacer.othersKeepCpusBusy(200, 2, 40)).as("busy, mostly others").isTrue();
    assertThat(Background.Pacer.othersKeepCpusBusy(200, 0, 190)).as("busy, mostly the recorder itself").isFalse();
    assertThat(Background.Pacer.othersKeepCpusBusy(200, 60, 0)).as("others busy, but a CPU-third idle").isFalse();
    assertThat(Background.Pacer.othersKeepCpusBusy(200, 20, 80)).as("exactly at both limits").isTrue();
    assertThat(Background.Pacer.othersKeepCpusBusy(0, 0, 0)).as("no time passed").isFalse();
  }

  @Test
  void aPacerReadsThisMachinesCountersWithoutFailing() {
    Background.Pacer pacer = new Background.Pacer();
    // The first call only takes a sample; whatever the machine is doing, a pause is bounded.
    assertThat(pacer.pauseNanos(10_000_000)).isZero();
    assertThat(pacer.pauseNanos(10_000_000)).isBetween(0L, 30_000_000L);
  }
}
