package dev.tapline.testgen;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;

/** Generated files compiled and run for the generator's tests: {@link SuiteRunner}, failures as assertion errors. */
final class GeneratedTests implements AutoCloseable {
  private final SuiteRunner suite;

  private GeneratedTests(SuiteRunner suite) {
    this.suite = suite;
  }

  /** Writes the files under {@code dir}, compiles the Java ones; fails with javac's output. */
  static GeneratedTests compile(SortedMap<String, String> files, Path dir) throws IOException {
    try {
      return new GeneratedTests(SuiteRunner.compile(files, dir));
    } catch (SuiteRunner.CompileException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  ClassLoader loader() {
    return suite.loader();
  }

  /** Runs every generated test class against {@code baseUri}: test method name → failure message, or "" when passed. */
  SortedMap<String, String> run(String baseUri) {
    return suite.run(baseUri);
  }

  /** Like {@link #run(String)} with more system properties (e.g. {@code tapline.routingKey}) set meanwhile. */
  SortedMap<String, String> run(String baseUri, Map<String, String> properties) {
    return suite.run(baseUri, properties, null);
  }

  /** In a random order from {@code seed}. */
  SortedMap<String, String> runShuffled(String baseUri, long seed) {
    return suite.run(baseUri, Map.of(), seed);
  }

  /** Each test in a launcher run of its own. */
  SortedMap<String, String> runEachAlone(String baseUri) {
    return suite.runEachAlone(baseUri, Map.of());
  }

  static Map<String, String> failures(Map<String, String> results) {
    return SuiteRunner.failures(results);
  }

  @Override
  public void close() throws IOException {
    suite.close();
  }
}
