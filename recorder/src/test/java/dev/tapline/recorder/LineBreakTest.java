package dev.tapline.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LineBreakTest {
  @Test
  void findsACarriageReturnOrLineFeedAtAnyPositionAndNothingElse() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int round = 0; round < 20_000; round++) {
      byte[] value = new byte[rnd.nextInt(40)];
      for (int i = 0; i < value.length; i++) {
        // bytes near CR and LF, high bytes (UTF-8) and zero, so neighbours of the pattern are tried
        value[i] = (byte) switch (rnd.nextInt(6)) {
          case 0 -> 9 + rnd.nextInt(6);
          case 1 -> 0x80 + rnd.nextInt(128);
          case 2 -> 0;
          default -> 32 + rnd.nextInt(95);
        };
      }
      boolean expected = false;
      for (byte b : value) {
        expected |= b == '\n' || b == '\r';
      }
      assertThat(Ingestor.hasLineBreak(value)).as("round %d", round).isEqualTo(expected);
    }
  }
}
