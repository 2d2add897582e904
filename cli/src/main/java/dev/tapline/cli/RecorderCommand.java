package dev.tapline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until this command is implemented. */
@Command(name = "recorder", mixinStandardHelpOptions = true, description = "Not implemented yet.")
final class RecorderCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("recorder is not implemented yet");
  }
}
