package dev.tapline.cli;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Mixin for {@code --config FILE}. {@link Main} reads the file before parsing, so its values act as
 * defaults that flags and environment variables override; this option only makes it a legal flag.
 */
final class ConfigOption {
  @Option(names = "--config", paramLabel = "FILE",
      description = "YAML file with defaults for these options (flags and TAPLINE_* env vars win).")
  @Nullable Path config;
}
