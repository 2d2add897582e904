package dev.tapline.testgen;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Compiles generated files with javax.tools and runs them with the JUnit Platform Launcher. */
final class GeneratedTests implements AutoCloseable {
  private final URLClassLoader loader;
  private final List<String> testClasses;

  private GeneratedTests(URLClassLoader loader, List<String> testClasses) {
    this.loader = loader;
    this.testClasses = testClasses;
  }

  /** Writes the files under {@code dir}, compiles the Java ones; fails with javac's output. */
  static GeneratedTests compile(SortedMap<String, String> files, Path dir) throws IOException {
    Path src = dir.resolve("src");
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes);
    TestGenerator.write(new GenerationResult(files, 0, 0, List.of(), 0, List.of()), src);
    List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-encoding", "UTF-8",
        "-proc:none", "-Xlint:all", "-Werror", "-Xlint:-options", "-Xlint:-processing", "--release", "21",
        "-cp", System.getProperty("java.class.path")));
    List<String> testClasses = new ArrayList<>();
    for (String path : files.keySet()) {
      if (path.endsWith(".java")) {
        args.add(src.resolve(path).toString());
        String cls = path.substring("java/".length(), path.length() - ".java".length()).replace('/', '.');
        if (cls.endsWith("ContractTest")) {
          testClasses.add(cls);
        }
      }
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter out = new StringWriter();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int rc = javac.run(null, err, err, args.toArray(String[]::new));
    if (rc != 0) {
      throw new AssertionError("generated code does not compile:\n" + err.toString(StandardCharsets.UTF_8) + out + excerpt(err.toString(StandardCharsets.UTF_8)));
    }
    URLClassLoader loader = new URLClassLoader(new URL[] {
        classes.toUri().toURL(), src.resolve("resources").toUri().toURL()}, GeneratedTests.class.getClassLoader());
    return new GeneratedTests(loader, testClasses);
  }

  /** The source lines javac complained about, escaped so that invisible characters show. */
  private static String excerpt(String javacOutput) {
    StringBuilder sb = new StringBuilder();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(/\\S+\\.java):(\\d+):").matcher(javacOutput);
    while (m.find()) {
      try {
        List<String> lines = Files.readAllLines(Path.of(m.group(1)));
        int n = Integer.parseInt(m.group(2));
        for (int i = Math.max(0, n - 1); i < Math.min(lines.size(), n + 4); i++) {
          sb.append(i + 1).append(": ").append(lines.get(i).replace("\t", "<TAB>").replaceAll("\\s+$", "<TRAILING>")).append('\n');
        }
      } catch (IOException | RuntimeException e) {
        sb.append("(cannot show ").append(m.group(1)).append(")\n");
      }
    }
    return sb.toString();
  }

  ClassLoader loader() {
    return loader;
  }

  /** Runs every generated test class against {@code baseUri}: test method name → failure message, or "" when passed. */
  SortedMap<String, String> run(String baseUri) {
    return run(baseUri, Map.of());
  }

  /** Like {@link #run(String)} with more system properties (e.g. {@code tapline.routingKey}) set meanwhile. */
  SortedMap<String, String> run(String baseUri, Map<String, String> properties) {
    System.setProperty("tapline.baseUri", baseUri);
    properties.forEach(System::setProperty);
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    try {
      LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
      for (String c : testClasses) {
        request.selectors(selectClass(loader.loadClass(c)));
      }
      LauncherDiscoveryRequest built = request.build();
      Launcher launcher = LauncherFactory.create();
      SortedMap<String, String> results = new TreeMap<>();
      launcher.execute(built, new TestExecutionListener() {
        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
          if (id.isTest()) {
            String name = id.getLegacyReportingName().replace("()", "");
            results.put(name, result.getStatus() == TestExecutionResult.Status.SUCCESSFUL ? ""
                : result.getThrowable().map(x -> String.valueOf(x.getMessage())).orElse(result.getStatus().toString()));
          }
        }
      });
      return results;
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    } finally {
      t.setContextClassLoader(previous);
      System.clearProperty("tapline.baseUri");
      properties.keySet().forEach(System::clearProperty);
    }
  }

  static Map<String, String> failures(Map<String, String> results) {
    Map<String, String> out = new TreeMap<>();
    results.forEach((k, v) -> {
      if (!v.isEmpty()) {
        out.put(k, v);
      }
    });
    return out;
  }

  @Override
  public void close() throws IOException {
    loader.close();
  }
}
