package dev.tapline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The manifests in {@code examples/k8s} hold together: the kinds expected, every Tapline container's
 * arguments parse as the CLI's own flags, it declares the ports those flags listen on, its probes ask
 * {@code /healthz} on the port that serves it, the files its flags name are on mounted volumes, and
 * each Service sends traffic to a port its pods declare. Structure only: no cluster is involved.
 */
class KubernetesManifestsTest {
  static final Path DIR = Path.of("..", "examples", "k8s");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Pattern ENV_REF = Pattern.compile("\\$\\(([A-Z_][A-Z0-9_]*)\\)");
  /** The flags that name a file or a directory the container must have. */
  static final List<String> PATH_FLAGS = List.of("--kafka-ssl-truststore", "--kafka-sasl-password-file",
      "--kafka-ssl-truststore-password-file", "--kafka-config", "--token-file", "--index-dir", "--upstream-ca");

  static List<JsonNode> documents(String file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(DIR.resolve(file)))) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && !d.isNull() && !d.isEmpty()) {
          out.add(d);
        }
      }
    }
    return out;
  }

  static List<String> kinds(List<JsonNode> docs) {
    return docs.stream().map(d -> d.path("kind").asText()).toList();
  }

  @Test
  void theProxyIsASidecarOfADeploymentAndTheRecorderAStatefulSet() throws IOException {
    List<JsonNode> proxy = documents("proxy-sidecar.yaml");
    List<JsonNode> recorder = documents("recorder-statefulset.yaml");
    assertThat(kinds(proxy)).containsExactly("Deployment", "Service");
    assertThat(kinds(recorder)).containsExactly("StatefulSet", "Service", "Service");
    for (JsonNode d : concat(proxy, recorder)) {
      assertThat(d.path("apiVersion").asText()).as("apiVersion of " + d.path("kind")).isIn("v1", "apps/v1");
      assertThat(d.path("metadata").path("name").asText()).as("name of a " + d.path("kind")).isNotBlank();
    }
    JsonNode deployment = proxy.get(0);
    List<String> containers = new ArrayList<>();
    deployment.at("/spec/template/spec/containers").forEach(c -> containers.add(c.path("name").asText()));
    assertThat(containers).as("the service and the proxy beside it").hasSize(2).contains("tapline-proxy");

    JsonNode statefulSet = recorder.get(0);
    String headless = statefulSet.at("/spec/serviceName").asText();
    assertThat(recorder.stream().filter(d -> d.path("kind").asText().equals("Service")
        && d.at("/metadata/name").asText().equals(headless) && d.at("/spec/clusterIP").asText().equals("None")))
        .as("the StatefulSet's headless Service").hasSize(1);
    assertThat(statefulSet.at("/spec/volumeClaimTemplates/0/metadata/name").asText()).isEqualTo("index");
  }

  @Test
  void everyTaplineContainerRunsFlagsTheCliKnowsListensOnItsPortsAndIsProbedOnHealthz() throws IOException {
    int checked = 0;
    for (String file : List.of("proxy-sidecar.yaml", "recorder-statefulset.yaml")) {
      for (JsonNode workload : documents(file)) {
        if (!workload.path("kind").asText().matches("Deployment|StatefulSet")) {
          continue;
        }
        JsonNode pod = workload.at("/spec/template/spec");
        Set<String> volumes = new HashSet<>();
        pod.path("volumes").forEach(v -> {
          volumes.add(v.path("name").asText());
          if (v.has("secret")) {
            assertThat(v.at("/secret/secretName").asText()).as("secret of volume " + v.path("name")).isNotBlank();
          }
        });
        workload.at("/spec/volumeClaimTemplates").forEach(v -> volumes.add(v.at("/metadata/name").asText()));
        for (JsonNode c : pod.path("containers")) {
          if (!c.path("image").asText().startsWith("tapline:")) {
            continue;
          }
          String where = file + " container " + c.path("name").asText();
          Map<String, String> flags = flags(c, where);
          String command = flags.get("");

          Map<String, Integer> ports = new HashMap<>();
          c.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
          String servesHealthz = command.equals("proxy") ? "--admin" : "--http";
          List<String> listening = command.equals("proxy") ? List.of("--listen", "--admin") : List.of("--http");
          for (String flag : listening) {
            assertThat(flags).as(where + " " + flag).containsKey(flag);
            Cli.HostPort hp = Cli.hostPort(flag, flags.get(flag));
            assertThat(hp.host()).as(where + ": " + flag + " listens beyond the pod's loopback").isEqualTo("0.0.0.0");
            assertThat(ports.values()).as(where + ": containerPort for " + flag).contains(hp.port());
          }
          int healthzPort = Cli.hostPort(servesHealthz, flags.get(servesHealthz)).port();
          for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
            JsonNode get = c.path(probe).path("httpGet");
            if (c.has(probe)) {
              assertThat(get.path("path").asText()).as(where + " " + probe).isEqualTo("/healthz");
              JsonNode port = get.path("port");
              int number = port.isInt() ? port.asInt() : ports.getOrDefault(port.asText(), -1);
              assertThat(number).as(where + " " + probe + " port").isEqualTo(healthzPort);
            }
          }
          assertThat(c.has("readinessProbe") && c.has("livenessProbe")).as(where + " probes").isTrue();

          List<String> mounts = new ArrayList<>();
          for (JsonNode m : c.path("volumeMounts")) {
            assertThat(volumes).as(where + " mounts a volume the pod has").contains(m.path("name").asText());
            mounts.add(m.path("mountPath").asText());
          }
          for (String flag : PATH_FLAGS) {
            String path = flags.get(flag);
            if (path != null) {
              assertThat(mounts.stream().anyMatch(m -> path.startsWith(m + "/")))
                  .as(where + ": " + flag + " " + path + " is on a mounted volume").isTrue();
            }
          }
          checked++;
        }
      }
    }
    assertThat(checked).as("Tapline containers checked").isEqualTo(2);
  }

  @Test
  void everyServiceSendsTrafficToAPortItsPodsDeclare() throws IOException {
    for (String file : List.of("proxy-sidecar.yaml", "recorder-statefulset.yaml")) {
      List<JsonNode> docs = documents(file);
      for (JsonNode service : docs) {
        if (!service.path("kind").asText().equals("Service")) {
          continue;
        }
        String name = service.at("/metadata/name").asText();
        Map<String, String> selector = strings(service.at("/spec/selector"));
        JsonNode workload = docs.stream()
            .filter(d -> d.path("kind").asText().matches("Deployment|StatefulSet"))
            .filter(d -> strings(d.at("/spec/template/metadata/labels")).entrySet().containsAll(selector.entrySet()))
            .findFirst().orElseThrow(() -> new AssertionError(file + ": Service " + name + " selects no pods"));
        assertThat(strings(workload.at("/spec/template/metadata/labels")).entrySet())
            .as(file + ": the workload's selector matches its pods")
            .containsAll(strings(workload.at("/spec/selector/matchLabels")).entrySet());
        Set<String> portNames = new HashSet<>();
        Set<Integer> portNumbers = new HashSet<>();
        workload.at("/spec/template/spec/containers").forEach(c -> c.path("ports").forEach(p -> {
          portNames.add(p.path("name").asText());
          portNumbers.add(p.path("containerPort").asInt());
        }));
        for (JsonNode p : service.at("/spec/ports")) {
          JsonNode target = p.path("targetPort");
          if (target.isInt()) {
            assertThat(portNumbers).as(file + ": " + name + " targetPort").contains(target.asInt());
          } else {
            assertThat(portNames).as(file + ": " + name + " targetPort").contains(target.asText());
          }
        }
      }
    }
    // Clients reach the service through the proxy, not around it.
    JsonNode orders = documents("proxy-sidecar.yaml").get(1);
    assertThat(orders.at("/spec/ports/0/targetPort").asText()).isEqualTo("capture");
  }

  /**
   * The container's arguments, parsed by the CLI itself ({@code ""} is the subcommand); each
   * {@code $(VAR)} must name a variable of the container's environment.
   */
  private static Map<String, String> flags(JsonNode container, String where) {
    Set<String> env = new HashSet<>();
    container.path("env").forEach(e -> env.add(e.path("name").asText()));
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> {
      Matcher m = ENV_REF.matcher(a.asText());
      while (m.find()) {
        assertThat(env).as(where + ": $(" + m.group(1) + ") is in the container's env").contains(m.group(1));
      }
      args.add(ENV_REF.matcher(a.asText()).replaceAll("pod-0"));
    });
    CommandLine.ParseResult parsed = Main.commandLine(null).parseArgs(args.toArray(String[]::new));
    assertThat(parsed.hasSubcommand()).as(where + " runs a tapline command").isTrue();
    Map<String, String> out = new HashMap<>();
    out.put("", parsed.subcommand().commandSpec().name());
    for (CommandLine.Model.OptionSpec o : parsed.subcommand().matchedOptions()) {
      Object v = o.getValue();
      out.put(o.longestName(), v instanceof List<?> l ? String.valueOf(l.getFirst()) : String.valueOf(v));
    }
    return out;
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> out = new HashMap<>();
    object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
    List<JsonNode> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
