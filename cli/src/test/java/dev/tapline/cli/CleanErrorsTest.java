package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a user sees when something is wrong: one line naming what and where, exit code 2. */
class CleanErrorsTest {
  @TempDir Path dir;

  @Test
  void aPortInUseIsOneLineNamingTheFlagAndThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      CliRun up = CliRun.run("up", "--data-dir", dir.resolve("up").toString(), "--kafka-port", "0", "--http-port", "0",
          "--proxy-port", String.valueOf(port));
      assertThat(up.rc()).isEqualTo(2);
      assertThat(up.err().strip()).doesNotContain("\n").contains("--proxy-port", String.valueOf(port), "already in use");

      CliRun kafka = CliRun.run("up", "--data-dir", dir.resolve("up").toString(), "--kafka-port", String.valueOf(port),
          "--proxy-port", "0", "--http-port", "0");
      assertThat(kafka.rc()).isEqualTo(2);
      assertThat(kafka.err().strip()).doesNotContain("\n").contains("--kafka-port", String.valueOf(port));

      CliRun same = CliRun.run("up", "--data-dir", dir.resolve("up").toString(), "--kafka-port", "0", "--proxy-port", "7123",
          "--http-port", "7123");
      assertThat(same.rc()).isEqualTo(2);
      assertThat(same.err()).contains("--proxy-port and --http-port both name port 7123");

      CliRun proxy = CliRun.run("proxy", "--service", "s", "--upstream", "http://127.0.0.1:9", "--listen", "127.0.0.1:" + port);
      assertThat(proxy.rc()).isEqualTo(2);
      assertThat(proxy.err().strip()).doesNotContain("\n").contains("--listen", "127.0.0.1:" + port, "already in use");

      CliRun recorder = CliRun.run("recorder", "--kafka", "127.0.0.1:9", "--index-dir", dir.resolve("ix").toString(),
          "--http", "127.0.0.1:" + port);
      assertThat(recorder.rc()).isEqualTo(2);
      assertThat(recorder.err().strip()).doesNotContain("\n").contains("--http", "already in use");
    }
  }

  @Test
  void anUnusableGraphqlSchemaIsOneLineNamingTheFlagAndTheFile() throws Exception {
    Path recording = java.nio.file.Files.writeString(dir.resolve("empty.ndjson"), "");
    Path invalid = java.nio.file.Files.writeString(dir.resolve("bad.graphql"), "type Query {\n  user: Nope\n}\n");
    Path missing = dir.resolve("missing.graphql");
    Path notIntrospection = java.nio.file.Files.writeString(dir.resolve("schema.json"), "{\"data\":{}}");
    for (Path schema : new Path[] {invalid, missing, notIntrospection}) {
      CliRun gen = CliRun.run("generate", "--from", recording.toString(), "--out", dir.resolve("out").toString(),
          "--package", "com.example.gql", "--graphql-schema", schema.toString());
      assertThat(gen.rc()).as(gen.err()).isEqualTo(2);
      assertThat(gen.err().strip()).doesNotContain("\n").contains("--graphql-schema", schema.toString());
    }
    assertThat(java.nio.file.Files.exists(dir.resolve("out"))).isFalse();
    CliRun help = CliRun.run("generate", "--help");
    assertThat(help.out().replaceAll("\\s+", " ")).contains("--graphql-schema=FILE GraphQL schema (SDL, or an introspection"
        + " result as JSON) that types the data of GraphQL answers;");
  }

  @Test
  void everyCommandIsListedWithAWholeSentence() {
    CommandLine cl = Main.commandLine(null);
    CliRun help = CliRun.run("--help");
    assertThat(help.rc()).isZero();
    for (CommandLine sub : cl.getSubcommands().values()) {
      String[] header = sub.getCommandSpec().usageMessage().header();
      assertThat(header).as("header of %s", sub.getCommandName()).isNotEmpty();
      String summary = String.join(" ", header).strip();
      assertThat(summary).as("summary of %s", sub.getCommandName()).endsWith(".");
      // as the list of commands shows it, whole
      assertThat(help.out().replaceAll("\\s+", " ")).contains(summary.replaceAll("\\s+", " "));
    }
  }
}
