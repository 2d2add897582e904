package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.examples.OrdersService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tapline replay} through {@link Main#run}: exit codes, output, reports. */
class ReplayCommandTest {
  /** Traffic recorded from the V1 orders service (committed with the CI example). */
  static final Path RECORDED = Path.of("..", "examples", "ci", "orders-exchanges.ndjson");

  static OrdersService v1;
  static OrdersService otherV1;
  static OrdersService v2;

  @TempDir Path dir;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  PrintStream oldOut;
  PrintStream oldErr;

  @BeforeAll
  static void startServices() {
    v1 = OrdersService.start(OrdersService.Version.V1, 0);
    otherV1 = OrdersService.start(OrdersService.Version.V1, 0);
    v2 = OrdersService.start(OrdersService.Version.V2, 0);
  }

  @AfterAll
  static void stopServices() {
    v1.close();
    otherV1.close();
    v2.close();
  }

  @BeforeEach
  void captureOutput() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreOutput() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void contractChangeExitsOneListsTheDifferencesAndWritesTheFourReports() {
    assertThat(RECORDED).exists();
    Path reports = dir.resolve("reports");
    int rc = Main.run("replay", "--from", RECORDED.toString(), "--baseline", v1.baseUri().toString(),
        "--sandbox", v2.baseUri().toString(), "--methods", "GET,HEAD,POST", "--report-dir", reports.toString());
    assertThat(rc).as(err()).isEqualTo(1);
    assertThat(out()).contains("breaking   POST /orders  $.customer  field renamed to customerName")
        .contains("breaking   POST /orders  $.total  type changed from number to string")
        .contains("compatible POST /orders  $.currency  field added")
        .contains("replay DRIFT: ");
    assertThat(reports.resolve("junit.xml")).exists();
    assertThat(reports.resolve("summary.md")).exists();
    assertThat(reports.resolve("report.html")).exists();
    assertThat(reports.resolve("drift.json")).exists();
  }

  @Test
  void baselineAgainstAnotherBaselineExitsZero() {
    int rc = Main.run("replay", "--from", RECORDED.toString(), "--baseline", v1.baseUri().toString(),
        "--sandbox", otherV1.baseUri().toString(), "--report-dir", dir.toString());
    assertThat(rc).as(err()).isZero();
    assertThat(out()).contains("replay pass: 0 breaking, 0 compatible");
  }

  @Test
  void failOnNoneReportsDriftButNeverFailsOnIt() {
    int rc = Main.run("replay", "--from", RECORDED.toString(), "--baseline", v1.baseUri().toString(),
        "--sandbox", v2.baseUri().toString(), "--methods", "POST", "--fail-on", "none", "--report-dir", dir.toString());
    assertThat(rc).as(err()).isZero();
    assertThat(out()).contains("$.customer").contains("replay pass: 2 breaking, 1 compatible");
    assertThat(dir.resolve("summary.md")).content().contains("pass with fail on `none`: 2 breaking, 1 compatible");
  }

  @Test
  void unreachableSandboxExitsThreeWithTheReason() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    int rc = Main.run("replay", "--from", RECORDED.toString(), "--target", "http://127.0.0.1:" + closed,
        "--routing-key", "pr-1", "--report-dir", dir.toString());
    assertThat(rc).isEqualTo(3);
    assertThat(err()).contains("is unreachable: connection refused");
    assertThat(out()).contains("replay ERROR");
  }

  @Test
  void badUsageAndMalformedInputExitTwoWithOneLine() throws Exception {
    assertThat(Main.run("replay", "--from", RECORDED.toString())).isEqualTo(2);
    assertThat(err()).contains("give either --baseline URL and --sandbox URL, or --target URL and --routing-key K");
    assertThat(Main.run("replay", "--from", RECORDED.toString(), "--baseline", "http://a", "--target", "http://b",
        "--routing-key", "k")).isEqualTo(2);
    assertThat(Main.run("replay", "--from", RECORDED.toString(), "--target", "http://a", "--routing-key", "k",
        "--fail-on", "sometimes")).isEqualTo(2);
    assertThat(err()).contains("--fail-on must be breaking, compatible or none");
    assertThat(Main.run("replay", "--from", RECORDED.toString(), "--target", "http://a", "--routing-key", "k",
        "--header", "no-colon")).isEqualTo(2);
    assertThat(Main.run("replay", "--from", RECORDED.toString(), "--target", "http://a", "--routing-key", "k",
        "--ignore", "orders.id")).isEqualTo(2);

    Path bad = Files.writeString(dir.resolve("bad.ndjson"), "{not json\n");
    err.reset();
    assertThat(Main.run("replay", "--from", bad.toString(), "--baseline", v1.baseUri().toString(),
        "--sandbox", otherV1.baseUri().toString(), "--report-dir", dir.toString())).isEqualTo(2);
    assertThat(err()).contains("bad.ndjson line 1: not JSON");
    assertThat(err().strip().lines()).hasSize(1);
  }

  @Test
  void helpExplainsWhyOnlySafeMethodsAreReplayed() {
    assertThat(Main.run("replay", "--help")).isZero();
    assertThat(out()).contains("Only safe methods (GET, HEAD, OPTIONS) are replayed")
        .contains("the baseline is shared").contains("Exit codes:").contains("--routing-key");
  }
}
