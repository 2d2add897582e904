package dev.tapline.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.testing.TestExchanges;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the exchange codec, which reads whatever is on the topic and in NDJSON files:
 * mutated, truncated, spliced and type-confused encodings of real exchanges. The property: decoding
 * gives an exchange that encodes and decodes to itself, or a {@link ExchangeCodec.DecodeException}
 * that says what is wrong; never another exception. {@link ExchangeReader} turns every bad line into
 * a {@code Malformed} item and goes on. {@code -Dtapline.fuzz.probes=N -Dtapline.fuzz.seed=S} for a
 * longer run.
 */
class ExchangeCodecFuzzTest {
  private static final int PROBES = Integer.getInteger("tapline.fuzz.probes", 5_000);
  private static final long SEED = Long.getLong("tapline.fuzz.seed", 20261203L);
  private static final String[] TOKENS = {"null", "true", "-1", "1e309", "99999999999999999999999", "\"\"", "[]", "{}",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "\"\\ud800\"", "\"\\u0000\"", "0.5", "\"x\"",
      "{\"base64\":\"!!!\"}", "{\"text\":1}", "[[\"a\"]]", "[[1,2]]", "\"\u00e9\"", ",", ":", "\"", "\\"};

  @Test
  void everyMutationDecodesToAStableExchangeOrAClearError() throws Exception {
    Random random = new Random(SEED);
    List<String> seeds = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      seeds.add(new String(ExchangeCodec.encode(TestExchanges.getOrder(i, i % 2 == 0 ? 200 : 404)), UTF_8));
    }
    seeds.add(new String(ExchangeCodec.encode(TestExchanges.exchange("POST", "/upload", "pr-7",
        Body.of("application/octet-stream", new byte[] {0, 1, 2, (byte) 0xff}), 201, Body.text("text/plain", "ok"), "a=1")), UTF_8));
    int decoded = 0;
    int refused = 0;
    StringBuilder ndjson = new StringBuilder();
    for (int i = 0; i < PROBES; i++) {
      String probe = mutate(seeds.get(random.nextInt(seeds.size())), random).replace('\n', ' ').replace('\r', ' ');
      if (probe.isBlank()) {
        probe = "{";
      }
      ndjson.append(probe).append('\n');
      try {
        Exchange e = ExchangeCodec.decode(probe);
        byte[] again = ExchangeCodec.encode(e);
        assertThat(ExchangeCodec.decode(again)).as("probe %d re-decodes to itself: %s", i, probe).isEqualTo(e);
        decoded++;
      } catch (ExchangeCodec.DecodeException expected) {
        assertThat(expected.getMessage()).as("probe %d: %s", i, probe).isNotBlank();
        refused++;
      } catch (RuntimeException | StackOverflowError other) {
        throw new AssertionError("probe " + i + " (seed " + SEED + ") threw " + other + " for: " + probe, other);
      }
    }
    assertThat(decoded).as("some mutations are still exchanges").isPositive();
    assertThat(refused).as("most are not").isPositive();

    int read = 0;
    int malformed = 0;
    try (ExchangeReader in = ExchangeReader.of(new java.io.StringReader(ndjson.toString()), "fuzz.ndjson")) {
      for (ExchangeReader.Item item; (item = in.next()) != null; ) {
        switch (item) {
          case ExchangeReader.Item.Read r -> read++;
          case ExchangeReader.Item.Malformed m -> malformed++;
        }
      }
    }
    assertThat(read + malformed).isEqualTo(PROBES);
    assertThat(read).isEqualTo(decoded);
  }

  private static String mutate(String s, Random random) {
    StringBuilder b = new StringBuilder(s);
    int edits = 1 + random.nextInt(4);
    for (int k = 0; k < edits && b.length() > 0; k++) {
      int at = random.nextInt(b.length());
      switch (random.nextInt(7)) {
        case 0 -> b.setCharAt(at, (char) random.nextInt(128)); // any ASCII, control characters too
        case 1 -> b.setLength(at); // truncated
        case 2 -> b.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
        case 3 -> b.deleteCharAt(at);
        case 4 -> { // a value replaced by another type
          int colon = b.indexOf(":", at);
          int end = colon < 0 ? -1 : nextDelimiter(b, colon + 1);
          if (end > colon + 1) {
            b.replace(colon + 1, end, TOKENS[random.nextInt(TOKENS.length)]);
          }
        }
        case 5 -> b.insert(at, b.substring(random.nextInt(b.length()))); // spliced with itself
        default -> b.setCharAt(at, (char) (0x80 + random.nextInt(0xff80))); // non-ASCII, lone surrogates too
      }
    }
    return b.toString();
  }

  private static int nextDelimiter(StringBuilder b, int from) {
    for (int i = from; i < b.length(); i++) {
      char c = b.charAt(i);
      if (c == ',' || c == '}' || c == ']') {
        return i;
      }
    }
    return -1;
  }
}
