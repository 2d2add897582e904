package dev.tapline.ui;

import dev.tapline.core.ExchangeReader;
import dev.tapline.testgen.GenerationResult;
import dev.tapline.testgen.GeneratorOptions;
import dev.tapline.testgen.TestGenerator;
import java.util.Locale;

/** Runs the testgen module in-process for one endpoint, reading the service's exchanges. */
final class Testgen {
  private Testgen() {}

  static GenerationResult generate(ExchangeReader exchanges, String service, String method, String template) {
    TestGenerator gen = TestGenerator.create(GeneratorOptions.builder(packageFor(service)).service(service).build());
    return gen.generateFor(exchanges, method, template, null);
  }

  /** {@code orders-api} → {@code contract.orders_api}: a valid package name for any service name. */
  static String packageFor(String service) {
    String s = service.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) {
      s = "s_" + s;
    }
    return "contract." + s;
  }
}
