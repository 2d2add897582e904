package dev.tapline.cli;

import dev.tapline.core.http.HttpEdge;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code tapline} executable: one entry point, one subcommand per job. */
@Command(
    name = "tapline",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Turns live sandbox traffic into contract tests.%n",
    subcommands = {
      UpCommand.class,
      ProxyCommand.class,
      RouteCommand.class,
      TailCommand.class,
      RecorderCommand.class,
      ExportCommand.class,
      GenerateCommand.class,
      SpecCommand.class,
      ReplayCommand.class,
      McpCommand.class,
      GraphqlCommand.class,
      DemoTrafficCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    // Before any JDK server starts (up --demo starts the example service's first): see HttpEdge.
    HttpEdge.readLongRequests();
    System.exit(run(args));
  }

  /** Runs the CLI and returns the exit code (0 ok, 1 failure/drift, 2 bad usage or input). */
  public static int run(String... args) {
    CommandLine cl;
    try {
      cl = commandLine(configFileArg(args));
    } catch (UsageException e) {
      System.err.println("tapline: " + e.getMessage());
      return 2;
    }
    return cl.execute(args);
  }

  /** {@code --config FILE} may appear anywhere; it is read before the flags it provides defaults for. */
  static java.nio.file.@org.jspecify.annotations.Nullable Path configFileArg(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return java.nio.file.Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--config=")) {
        return java.nio.file.Path.of(args[i].substring("--config=".length()));
      }
    }
    return Defaults.configFileFrom(System.getenv());
  }

  public static CommandLine commandLine(java.nio.file.@org.jspecify.annotations.Nullable Path configFile) {
    CommandLine cl = new CommandLine(new Main());
    cl.setDefaultValueProvider(Defaults.load(System.getenv(), configFile));
    cl.setParameterExceptionHandler(Main::badUsage);
    cl.setExecutionExceptionHandler(Main::failed);
    return cl;
  }

  /** Bad flags: one line that names the problem, then where to look, exit code 2. */
  private static int badUsage(CommandLine.ParameterException ex, String[] args) {
    PrintWriter err = ex.getCommandLine().getErr();
    err.println("tapline: " + ex.getMessage());
    err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
    err.flush();
    return 2;
  }

  private static int failed(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (ex instanceof UsageException u) {
      err.println(cl.getCommandSpec().qualifiedName() + ": " + u.getMessage());
      err.flush();
      return 2;
    }
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException b) {
        // A port taken between the check before start and the bind itself.
        err.println(cl.getCommandSpec().qualifiedName() + ": a port is already in use (" + b.getMessage()
            + "); pick another one, or 0 for any free one");
        err.flush();
        return 2;
      }
    }
    err.println(cl.getCommandSpec().qualifiedName() + ": " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
    if (System.getenv("TAPLINE_DEBUG") != null) {
      ex.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"tapline " + (v == null ? "dev" : v)};
    }
  }
}
