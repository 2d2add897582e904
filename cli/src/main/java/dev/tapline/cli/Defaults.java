package dev.tapline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where option values come from when a flag is not given: flags win, then the environment ({@code
 * --max-body} is {@code TAPLINE_MAX_BODY}), then the YAML file named by {@code --config FILE} or
 * {@code TAPLINE_CONFIG} (keys are option names without dashes, optionally under a section named
 * after the command: {@code proxy: {max-body: 1048576}}), then the built-in default.
 */
final class Defaults implements CommandLine.IDefaultValueProvider {
  private final Map<String, String> env;
  private final @Nullable JsonNode yaml;
  private final @Nullable Path yamlFile;

  private Defaults(Map<String, String> env, @Nullable JsonNode yaml, @Nullable Path yamlFile) {
    this.env = env;
    this.yaml = yaml;
    this.yamlFile = yamlFile;
  }

  static @Nullable Path configFileFrom(Map<String, String> env) {
    String p = env.get("TAPLINE_CONFIG");
    return p == null || p.isBlank() ? null : Path.of(p);
  }

  static Defaults load(Map<String, String> env, @Nullable Path file) {
    if (file == null) {
      return new Defaults(env, null, null);
    }
    if (!Files.isReadable(file)) {
      throw new UsageException("config file not readable: " + file);
    }
    try {
      JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
      return new Defaults(env, node, file);
    } catch (IOException e) {
      throw new UsageException(file + ": not valid YAML: " + firstLine(e.getMessage()), e);
    }
  }

  @Override
  public @Nullable String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec opt)) {
      return null;
    }
    String name = opt.longestName().replaceFirst("^-+", "");
    if (name.equals("config") || name.equals("help") || name.equals("version")) {
      return null;
    }
    String envName = "TAPLINE_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    String fromEnv = env.get(envName);
    if (fromEnv != null) {
      return fromEnv;
    }
    if (yaml == null) {
      return null;
    }
    String command = arg.command() == null ? null : arg.command().name();
    JsonNode v = null;
    if (command != null && yaml.has(command) && yaml.get(command).isObject()) {
      v = yaml.get(command).get(name);
    }
    if (v == null) {
      v = yaml.get(name);
    }
    if (v == null || v.isNull() || v.isObject()) {
      return null;
    }
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      v.forEach(x -> parts.add(x.asText()));
      // picocli splits multi-value defaults on the option's split regex, or on ',' when it has none.
      return String.join(opt.splitRegex().isEmpty() ? "," : ",", parts);
    }
    return v.asText();
  }

  @Nullable Path file() {
    return yamlFile;
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
