package dev.tapline.testgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A minimal Maven build next to generated tests that have none, so {@code mvn test
 * -Dtapline.baseUri=...} runs them where they were written. With {@code --out DIR/src/test} the
 * build goes to {@code DIR} in Maven's layout; with any other {@code --out} it goes there and names
 * {@code java/} and {@code resources/} as its test directories. Nothing is written when a build
 * ({@code pom.xml}, {@code build.gradle}, {@code build.gradle.kts}) is already there.
 */
public final class BuildFile {
  private BuildFile() {}

  /** The directory the build file belongs in for generated files under {@code out}. */
  public static Path rootFor(Path out) {
    Path abs = out.toAbsolutePath().normalize();
    Path name = abs.getFileName();
    Path parent = abs.getParent();
    if (name != null && name.toString().equals("test") && parent != null && parent.getFileName() != null
        && parent.getFileName().toString().equals("src") && parent.getParent() != null) {
      return parent.getParent();
    }
    return abs;
  }

  /** True when {@code dir} already has a build of its own. */
  public static boolean hasBuild(Path dir) {
    return Files.exists(dir.resolve("pom.xml")) || Files.exists(dir.resolve("build.gradle"))
        || Files.exists(dir.resolve("build.gradle.kts"));
  }

  /**
   * Writes the Maven build for tests generated under {@code out} unless one exists.
   *
   * @return the file written, or null when a build was already there
   */
  public static @Nullable Path writeMaven(Path out, String artifactId) throws IOException {
    Path root = rootFor(out);
    if (hasBuild(root)) {
      return null;
    }
    Files.createDirectories(root);
    boolean standard = !root.equals(out.toAbsolutePath().normalize());
    Path pom = root.resolve("pom.xml");
    Files.writeString(pom, maven(artifactId, standard), StandardCharsets.UTF_8);
    return pom;
  }

  static String maven(String artifactId, boolean standardLayout) {
    String dirs = standardLayout ? "" : """
            <testSourceDirectory>java</testSourceDirectory>
            <testResources><testResource><directory>resources</directory></testResource></testResources>
        """;
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- Written by tapline generate (build: maven): the least that runs the generated contract tests.
             mvn test -Dtapline.baseUri=http://HOST:PORT/BASE-PATH [-Dtapline.routingKey=KEY] -->
        <project xmlns="http://maven.apache.org/POM/4.0.0"
                 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                 xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
          <modelVersion>4.0.0</modelVersion>
          <groupId>contract</groupId>
          <artifactId>%s</artifactId>
          <version>1</version>
          <properties>
            <maven.compiler.release>17</maven.compiler.release>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
          </properties>
          <dependencyManagement>
            <dependencies>
              <dependency><groupId>org.junit</groupId><artifactId>junit-bom</artifactId><version>5.14.1</version><type>pom</type><scope>import</scope></dependency>
            </dependencies>
          </dependencyManagement>
          <dependencies>
            <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><scope>test</scope></dependency>
            <dependency><groupId>io.rest-assured</groupId><artifactId>rest-assured</artifactId><version>6.0.1</version><scope>test</scope></dependency>
            <dependency><groupId>io.rest-assured</groupId><artifactId>json-schema-validator</artifactId><version>6.0.0</version><scope>test</scope></dependency>
            <dependency><groupId>org.hamcrest</groupId><artifactId>hamcrest</artifactId><version>3.0</version><scope>test</scope></dependency>
          </dependencies>
          <build>
        %s    <plugins>
              <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.14.1</version></plugin>
              <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>3.5.4</version></plugin>
            </plugins>
          </build>
        </project>
        """.formatted(artifactId, dirs);
  }
}
