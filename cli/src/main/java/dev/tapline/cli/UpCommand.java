package dev.tapline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until this command is implemented. */
@Command(name = "up", mixinStandardHelpOptions = true, description = "Not implemented yet.")
final class UpCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("up is not implemented yet");
  }
}
