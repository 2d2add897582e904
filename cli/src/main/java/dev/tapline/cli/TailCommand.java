package dev.tapline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until this command is implemented. */
@Command(name = "tail", mixinStandardHelpOptions = true, description = "Not implemented yet.")
final class TailCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("tail is not implemented yet");
  }
}
