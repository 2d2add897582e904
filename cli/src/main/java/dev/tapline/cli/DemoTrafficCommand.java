package dev.tapline.cli;

import dev.tapline.examples.DemoTraffic;
import dev.tapline.examples.clinic.ClinicService;
import dev.tapline.examples.clinic.ClinicTraffic;
import java.net.URI;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapline demo-traffic}: drive an example API, usually through the proxy. */
@Command(
    name = "demo-traffic",
    mixinStandardHelpOptions = true,
    header = "Drives a realistic mix of calls against an example API, usually through the proxy of 'tapline up --demo'.",
    description = {
      "Creates, reads, lists, updates and deletes, with a few errors: the orders API, or with --api clinic",
      "the clinic API under /clinic/api that 'tapline up --demo clinic' puts behind the proxy."
    })
final class DemoTrafficCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Spec CommandSpec spec;

  @Option(names = "--target", required = true, paramLabel = "URL", description = "Where to send the calls, e.g. the proxy: http://127.0.0.1:8080")
  String target;

  @Option(names = "--routing-key", paramLabel = "KEY", description = "Send this sandbox routing key (as baggage: sd-routing-key=KEY).")
  @Nullable String routingKey;

  @Option(names = "--requests", paramLabel = "N", defaultValue = "50", description = "How many requests to send (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Random seed for the call mix (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--api", paramLabel = "orders|clinic", defaultValue = "orders",
      description = "Which example API to call (default: ${DEFAULT-VALUE}); clinic's calls go under /clinic/api.")
  String api;

  @Override
  public Integer call() {
    URI uri = Cli.httpUri("--target", target);
    if (requests < 1) {
      throw new UsageException("--requests must be at least 1: " + requests);
    }
    Progress progress = Progress.to(spec.commandLine().getErr());
    DemoTraffic.Result r = switch (api) {
      case "orders" -> DemoTraffic.run(uri, routingKey, requests, seed, n -> progress.count("demo-traffic", n, requests));
      case "clinic" -> ClinicTraffic.run(URI.create(uri.toString().replaceAll("/+$", "") + ClinicService.CONTEXT_PATH),
          requests, seed, routingKey, n -> progress.count("demo-traffic", n, requests));
      default -> throw new UsageException("--api must be orders or clinic, got '" + api + "'");
    };
    progress.done();
    System.out.println("sent " + r.summary() + (routingKey == null ? " (baseline)" : " (routing key " + routingKey + ")"));
    if (r.failures() == r.requests()) {
      System.err.println("tapline demo-traffic: nothing answered at " + uri);
      return 3;
    }
    return 0;
  }
}
