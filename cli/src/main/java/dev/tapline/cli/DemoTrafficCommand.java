package dev.tapline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until this command is implemented. */
@Command(name = "demo-traffic", mixinStandardHelpOptions = true, description = "Not implemented yet.")
final class DemoTrafficCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("demo-traffic is not implemented yet");
  }
}
