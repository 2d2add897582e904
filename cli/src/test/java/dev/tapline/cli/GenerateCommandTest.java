package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.examples.clinic.ClinicService;
import dev.tapline.examples.clinic.ClinicTraffic;
import dev.tapline.proxy.CapturePolicy;
import dev.tapline.proxy.CaptureProxy;
import dev.tapline.proxy.ExchangeSink;
import dev.tapline.proxy.ProxyConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tapline generate --verify} writes a verified suite and a build that runs it, where it is run. */
class GenerateCommandTest {
  @TempDir Path dir;

  private Path record(int requests) throws Exception {
    List<Exchange> captured = new CopyOnWriteArrayList<>();
    try (ClinicService v1 = ClinicService.start(ClinicService.Version.V1, 0)) {
      URI origin = URI.create("http://127.0.0.1:" + v1.port());
      try (CaptureProxy proxy = CaptureProxy.start(ProxyConfig.builder().service("clinic").baseline(origin)
          .capture(CapturePolicy.ALL).sink(ExchangeSink.custom(captured::add)).build())) {
        ClinicTraffic.run(URI.create(proxy.uri() + ClinicService.CONTEXT_PATH), requests, 3L, null);
        org.awaitility.Awaitility.await().until(() -> captured.size() == requests);
      }
    }
    StringBuilder sb = new StringBuilder();
    captured.forEach(e -> sb.append(new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8)).append('\n'));
    return Files.writeString(dir.resolve("clinic.ndjson"), sb);
  }

  @Test
  void generateVerifiesAgainstTheServiceAndWritesABuildWhereThereIsNone() throws Exception {
    Path recording = record(120);
    Path out = dir.resolve("contract/src/test");
    CliRun gen;
    try (ClinicService fresh = ClinicService.start(ClinicService.Version.V1, 0)) {
      gen = CliRun.run("generate", "--from", recording.toString(), "--out", out.toString(),
          "--package", "com.example.clinic", "--verify", fresh.baseUri().toString());
    }
    String printed = gen.out();
    assertThat(gen.rc()).as(printed).isZero();
    assertThat(printed).contains("Verified against http://127.0.0.1:", "run(s) per round");
    assertThat(out.resolve("java/com/example/clinic/OwnersContractTest.java")).exists();
    Path pom = dir.resolve("contract/pom.xml");
    assertThat(pom).exists();
    assertThat(Files.readString(pom)).contains("<artifactId>rest-assured</artifactId>", "junit-jupiter")
        .doesNotContain("<testSourceDirectory>");
    // well-formed XML, as Maven reads it
    javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    assertThat(printed).contains("wrote " + pom);
    // A second generation into the same place keeps the user's build as it is.
    Files.writeString(pom, "<project>mine</project>");
    assertThat(Main.run("generate", "--from", recording.toString(), "--out", out.toString(),
        "--package", "com.example.clinic")).isZero();
    assertThat(Files.readString(pom)).isEqualTo("<project>mine</project>");
    assertThat(Main.run("generate", "--from", recording.toString(), "--out", out.toString(),
        "--package", "com.example.clinic", "--build", "gradle")).isEqualTo(2);
    assertThat(Main.run("generate", "--from", recording.toString(), "--out", out.toString(),
        "--package", "com.example.clinic", "--origin", "users")).isEqualTo(2);
  }

  @Test
  void badExchangesAmongGoodOnesAreSkippedAndReportedNeverAbortingTheRun() throws Exception {
    Path recording = record(40);
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(recording));
    lines.add(5, "{not json");
    lines.add(10, "{\"v\":1,\"id\":\"x\"}");
    lines.add(15, "[1,2,3]");
    Path mixed = Files.write(dir.resolve("mixed.ndjson"), lines);
    Path out = dir.resolve("mixed/src/test");
    CliRun gen = CliRun.run("generate", "--from", mixed.toString(), "--out", out.toString(),
        "--package", "com.example.clinic", "--build", "none");
    String printed = gen.out();
    assertThat(gen.rc()).as(printed).isZero();
    assertThat(printed).contains("Skipped:", "mixed.ndjson:6: not JSON", "mixed.ndjson:11: missing object field", "mixed.ndjson:16:");
    assertThat(out.resolve("java/com/example/clinic/OwnersContractTest.java")).exists();
  }
}
