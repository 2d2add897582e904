package dev.tapline.testgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.Exchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Whole generated files compared as text with the committed ones under {@code golden/}. To accept a
 * deliberate change: {@code -Dtapline.updateGolden=true}, then review the diff.
 */
class GoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden/orders");

  private static SortedMap<String, String> generate(List<Exchange> exchanges) {
    return TestGenerator.create(GeneratorOptions.builder("com.example.orders").sourceName("orders.ndjson").build())
        .generate(exchanges).files();
  }

  @Test
  void generatedFilesMatchTheCommittedGoldenFiles() throws IOException {
    SortedMap<String, String> files = generate(Traffic.orders());
    if (Boolean.getBoolean("tapline.updateGolden")) {
      if (Files.exists(GOLDEN)) {
        try (Stream<Path> old = Files.walk(GOLDEN)) {
          old.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      TestGenerator.write(new GenerationResult(files, 0, 0, List.of(), 0, List.of()), GOLDEN);
    }
    List<String> expected = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(GOLDEN)) {
      walk.filter(Files::isRegularFile).forEach(p -> expected.add(GOLDEN.relativize(p).toString().replace('\\', '/')));
    }
    assertThat(files.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    for (Map.Entry<String, String> f : files.entrySet()) {
      assertThat(f.getValue()).as(f.getKey())
          .isEqualTo(Files.readString(GOLDEN.resolve(f.getKey()), StandardCharsets.UTF_8));
    }
  }

  @Test
  void recordedTrafficInAnyOrderGivesByteIdenticalFiles() throws IOException {
    List<Exchange> exchanges = new ArrayList<>(OpenApiTest.fixture());
    SortedMap<String, String> first = generate(exchanges);
    for (long seed = 1; seed <= 3; seed++) {
      Collections.shuffle(exchanges, new Random(seed));
      assertThat(generate(exchanges)).isEqualTo(first);
    }
  }

  @Test
  void theSameExchangesInAnyOrderGiveByteIdenticalFiles() {
    List<Exchange> exchanges = new ArrayList<>(Traffic.orders());
    SortedMap<String, String> first = generate(exchanges);
    for (long seed = 1; seed <= 5; seed++) {
      Collections.shuffle(exchanges, new Random(seed));
      assertThat(generate(exchanges)).isEqualTo(first);
    }
  }
}
