package dev.tapline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until this command is implemented. */
@Command(name = "replay", mixinStandardHelpOptions = true, description = "Not implemented yet.")
final class ReplayCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("replay is not implemented yet");
  }
}
