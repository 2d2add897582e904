package dev.tapline.testgen;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import org.jspecify.annotations.Nullable;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Generated files compiled with the JDK's compiler and run with the JUnit Platform Launcher in this
 * JVM, against a live target: what {@code --verify} does, and the generator's own tests. The
 * classpath is this process's (REST Assured, JUnit, the schema validator come with Tapline).
 */
public final class SuiteRunner implements AutoCloseable {
  private final URLClassLoader loader;
  private final List<String> testClasses;

  private SuiteRunner(URLClassLoader loader, List<String> testClasses) {
    this.loader = loader;
    this.testClasses = testClasses;
  }

  /** Generated Java code that javac refuses: the message holds javac's output. */
  public static final class CompileException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    CompileException(String message) {
      super(message);
    }
  }

  /**
   * Writes {@code files} (paths as in {@link GenerationResult#files()}) under {@code dir} and compiles
   * the Java ones with {@code -Werror}.
   *
   * @throws CompileException with javac's output when they do not compile
   */
  public static SuiteRunner compile(SortedMap<String, String> files, Path dir) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("verifying generated tests needs a JDK (javac), not a JRE: set JAVA_HOME to a JDK 21+");
    }
    Path src = dir.resolve("src");
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes);
    TestGenerator.write(new GenerationResult(files, 0, 0, List.of(), 0, List.of()), src);
    List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-encoding", "UTF-8",
        "-proc:none", "-Xlint:all", "-Werror", "-Xlint:-options", "-Xlint:-processing", "--release", "17",
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
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = javac.run(null, err, err, args.toArray(String[]::new));
    if (rc != 0) {
      String out = err.toString(StandardCharsets.UTF_8);
      throw new CompileException("generated code does not compile:\n" + out + excerpt(out));
    }
    URLClassLoader loader = new URLClassLoader(new URL[] {
        classes.toUri().toURL(), src.resolve("resources").toUri().toURL()}, SuiteRunner.class.getClassLoader());
    return new SuiteRunner(loader, testClasses);
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

  public ClassLoader loader() {
    return loader;
  }

  /** Runs every test against {@code baseUri}: test method name → failure message, or "" when passed. */
  public SortedMap<String, String> run(String baseUri) {
    return run(baseUri, Map.of(), null);
  }

  /**
   * Runs every test class with these system properties set meanwhile ({@code tapline.baseUri} and
   * any others, such as {@code tapline.routingKey}).
   *
   * @param randomSeed null for the declared order; else classes and methods in a random order from
   *     this seed (JUnit's {@code MethodOrderer.Random})
   * @return test method name (qualified by its class when two classes share one) → failure message,
   *     or {@code ""} when it passed
   */
  public SortedMap<String, String> run(String baseUri, Map<String, String> properties, @Nullable Long randomSeed) {
    return run(baseUri, properties, randomSeed, null);
  }

  private SortedMap<String, String> run(String baseUri, Map<String, String> properties, @Nullable Long randomSeed,
      @Nullable List<org.junit.platform.engine.DiscoverySelector> only) {
    Map<String, String> all = new TreeMap<>(properties);
    all.put("tapline.baseUri", baseUri);
    Map<String, String> previous = new TreeMap<>();
    all.forEach((k, v) -> {
      String old = System.getProperty(k);
      if (old != null) {
        previous.put(k, old);
      }
      System.setProperty(k, v);
    });
    Thread t = Thread.currentThread();
    ClassLoader previousLoader = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    try {
      LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
      if (only != null) {
        request.selectors(only);
      } else {
        for (String c : testClasses) {
          request.selectors(selectClass(loader.loadClass(c)));
        }
      }
      if (randomSeed != null) {
        request.configurationParameter("junit.jupiter.testmethod.order.default", "org.junit.jupiter.api.MethodOrderer$Random")
            .configurationParameter("junit.jupiter.testclass.order.default", "org.junit.jupiter.api.ClassOrderer$Random")
            .configurationParameter("junit.jupiter.execution.order.random.seed", Long.toString(randomSeed));
      }
      Launcher launcher = LauncherFactory.create();
      SortedMap<String, String> results = new TreeMap<>();
      launcher.execute(request.build(), new TestExecutionListener() {
        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
          if (id.isTest()) {
            String name = id.getLegacyReportingName().replace("()", "");
            results.put(name, result.getStatus() == TestExecutionResult.Status.SUCCESSFUL ? ""
                : result.getThrowable().map(x -> x.getMessage() == null ? x.toString() : x.getMessage())
                    .orElse(result.getStatus().toString()));
          }
        }
      });
      return results;
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("a compiled test class is missing: " + e.getMessage(), e);
    } finally {
      t.setContextClassLoader(previousLoader);
      all.keySet().forEach(k -> {
        if (previous.containsKey(k)) {
          System.setProperty(k, previous.get(k));
        } else {
          System.clearProperty(k);
        }
      });
    }
  }

  /** Every test in a launcher run of its own, so none can lean on what another left behind. */
  public SortedMap<String, String> runEachAlone(String baseUri, Map<String, String> properties) {
    SortedMap<String, String> all = new TreeMap<>();
    Thread t = Thread.currentThread();
    ClassLoader previousLoader = t.getContextClassLoader();
    List<org.junit.platform.engine.DiscoverySelector> tests = new ArrayList<>();
    t.setContextClassLoader(loader);
    try {
      LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
      for (String c : testClasses) {
        request.selectors(selectClass(loader.loadClass(c)));
      }
      org.junit.platform.launcher.TestPlan plan = LauncherFactory.create().discover(request.build());
      for (TestIdentifier root : plan.getRoots()) {
        for (TestIdentifier id : plan.getDescendants(root)) {
          if (id.isTest()) {
            tests.add(org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId(id.getUniqueIdObject()));
          }
        }
      }
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("a compiled test class is missing: " + e.getMessage(), e);
    } finally {
      t.setContextClassLoader(previousLoader);
    }
    for (org.junit.platform.engine.DiscoverySelector one : tests) {
      all.putAll(run(baseUri, properties, null, List.of(one)));
    }
    return all;
  }

  /** Only the failed tests of {@code results}. */
  public static Map<String, String> failures(Map<String, String> results) {
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
