package io.cnm.api.crd;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The generated CRDs as this jar ships them (META-INF/fabric8), for installing into an API. */
public final class Crds {
  public static final List<String> PLURALS = List.of("cnmnetworks", "cnmendpoints", "cnmservices");

  private Crds() {}

  public static CustomResourceDefinition load(KubernetesClient client, String plural) {
    try (InputStream in = Crds.class.getResourceAsStream("/META-INF/fabric8/" + plural + ".cnm.io-v1.yml")) {
      return client.apiextensions().v1().customResourceDefinitions().load(in).item();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates the three CRDs (a test or lab API starts empty). */
  public static void install(KubernetesClient client) {
    for (String plural : PLURALS) {
      client.resource(load(client, plural)).create();
    }
  }
}
