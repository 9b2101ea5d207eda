package io.cnm.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmNetworkSpec;
import io.cnm.api.v1alpha1.CnmServiceSpec;
import io.cnm.api.validation.SpecValidator;
import io.cnm.api.validation.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The example objects under src/test/resources/catalogue and how to judge them both ways. */
final class Catalogue {
  static final String PATH = "test.cnm.io/path";
  static final String EXPECT = "test.cnm.io/expect";

  private static final Map<String, String> PLURALS =
      Map.of("CnmNetwork", "cnmnetworks", "CnmEndpoint", "cnmendpoints", "CnmService", "cnmservices");
  private static final Map<String, CrdValidator> VALIDATORS = new java.util.concurrent.ConcurrentHashMap<>();

  private Catalogue() {}

  static List<JsonNode> load(String name) {
    List<JsonNode> docs = new ArrayList<>();
    try (InputStream in = Catalogue.class.getResourceAsStream("/catalogue/" + name)) {
      var parser = new YAMLFactory().createParser(in);
      var it = new YAMLMapper().readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  static String name(JsonNode doc) {
    return doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText();
  }

  static String annotation(JsonNode doc, String key) {
    return doc.path("metadata").path("annotations").path(key).asText();
  }

  /** The generated CRD's verdict (schema, unknown fields, CEL rules). */
  static List<Violation> byCrd(JsonNode doc) {
    String plural = PLURALS.get(doc.path("kind").asText());
    return VALIDATORS.computeIfAbsent(plural, CrdValidator::forPlural).validate(doc);
  }

  /**
   * The Java validator's verdict. A spec the model cannot even read (an unknown enum value or
   * field) comes back as a single violation saying so.
   */
  static List<Violation> byJava(JsonNode doc) {
    ObjectMapper mapper = CrdValidator.json();
    JsonNode spec = doc.path("spec");
    try {
      return switch (doc.path("kind").asText()) {
        case "CnmNetwork" -> SpecValidator.validate(mapper.treeToValue(spec, CnmNetworkSpec.class));
        case "CnmEndpoint" -> SpecValidator.validate(mapper.treeToValue(spec, CnmEndpointSpec.class));
        case "CnmService" -> SpecValidator.validate(mapper.treeToValue(spec, CnmServiceSpec.class));
        default -> throw new IllegalArgumentException("unknown kind " + doc.path("kind"));
      };
    } catch (IOException e) {
      return List.of(new Violation("(unreadable)", e.getMessage()));
    }
  }
}
