package dev.tapline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until this command is implemented. */
@Command(name = "spec", mixinStandardHelpOptions = true, description = "Not implemented yet.")
final class SpecCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("spec is not implemented yet");
  }
}
