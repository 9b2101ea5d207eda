package io.cnm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dajudge.kindcontainer.KindContainer;
import com.dajudge.kindcontainer.KindContainerVersion;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The generated CRDs on a real API server (Kind, Kubernetes 1.31+ for CEL's IP and CIDR library):
 * every valid catalogue example is accepted and every CEL-rule example is refused with its rule's
 * message. Here the API server itself, not our test evaluator, judges the rules. Skipped where no
 * Docker engine is reachable.
 */
@Testcontainers(disabledWithoutDocker = true)
class CrdValidationOnKindE2E {
  static final Path CATALOGUE = Path.of("../crds/src/test/resources/catalogue");

  @Container
  static final KindContainer<?> KIND = new KindContainer<>(KindContainerVersion.VERSION_1_33_4);

  static KubernetesClient client;

  @BeforeAll
  static void installCrds() {
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(KIND.getKubeconfig())).build();
    for (String plural : io.cnm.api.crd.Crds.PLURALS) {
      CustomResourceDefinition crd = io.cnm.api.crd.Crds.load(client, plural);
      client.resource(crd).serverSideApply();
      client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
          .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions().stream()
              .anyMatch(cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())), 60, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void validExamples_areAccepted() throws IOException {
    for (GenericKubernetesResource r : load("valid.yaml")) {
      r.getMetadata().setNamespace("default");
      client.resource(r).create();
    }
  }

  @Test
  void celRuleExamples_areRefusedWithTheirMessage() throws IOException {
    for (GenericKubernetesResource r : load("invalid.yaml")) {
      Map<String, String> ann = r.getMetadata().getAnnotations();
      String expect = ann.get("test.cnm.io/expect");
      r.getMetadata().setNamespace("default");
      assertThatThrownBy(() -> client.resource(r).create())
          .as(r.getKind() + "/" + r.getMetadata().getName())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> {
            if (!expect.startsWith("schema:") && !expect.equals("unknown field")) {
              assertThat(e.getMessage()).contains(expect);
            }
          });
    }
  }

  private static List<GenericKubernetesResource> load(String file) throws IOException {
    String text = Files.readString(CATALOGUE.resolve(file));
    return Stream.of(text.split("(?m)^---\\s*$"))
        .filter(doc -> doc.contains("kind:"))
        .map(doc -> Serialization.unmarshal(doc, GenericKubernetesResource.class))
        .toList();
  }
}
