package io.cnm.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.cnm.api.validation.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the API server does with a new object of one of our CRDs, without an API server: apply the
 * schema's defaults, validate against the OpenAPI schema (json-schema-validator), refuse unknown
 * fields (kubectl's strict field validation), then evaluate every {@code x-kubernetes-validations}
 * CEL rule on the value it sits on. Reads the CRD the build generated, so it tests what ships.
 */
final class CrdValidator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KubernetesCel CEL = new KubernetesCel();

  private final JsonNode specSchema;
  private final Schema jsonSchema;

  private CrdValidator(JsonNode crd) {
    JsonNode schema = crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
    this.specSchema = schema.path("properties").path("spec");
    this.jsonSchema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
        .getSchema(specSchema.toString(), InputFormat.JSON);
  }

  /** The validator for the generated CRD of a plural, e.g. {@code cnmnetworks}. */
  static CrdValidator forPlural(String plural) {
    return new CrdValidator(generatedCrd(plural));
  }

  static JsonNode generatedCrd(String plural) {
    String resource = "/META-INF/fabric8/" + plural + ".cnm.io-v1.yml";
    try (InputStream in = CrdValidator.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("generated CRD not on the classpath: " + resource);
      }
      return new YAMLMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Violations of the object's spec, with paths rooted at {@code spec}. */
  List<Violation> validate(JsonNode object) {
    JsonNode spec = object.path("spec").deepCopy();
    List<Violation> out = new ArrayList<>();
    if (spec.isMissingNode()) {
      out.add(new Violation("spec", "schema required"));
      return out;
    }
    applyDefaults(specSchema, spec);
    for (Error e : jsonSchema.validate(spec.toString(), InputFormat.JSON)) {
      out.add(new Violation(path(e), "schema " + e.getKeyword() + ": " + e.getMessage()));
    }
    unknownFields(specSchema, spec, "spec", out);
    rules(specSchema, spec, "spec", out);
    return out;
  }

  private static String path(Error e) {
    // The validator reports JSON pointers (/ports/0/hostPort); the API server says spec.ports[0].hostPort.
    StringBuilder base = new StringBuilder("spec");
    for (String token : e.getInstanceLocation().toString().split("/")) {
      if (token.isEmpty() || token.equals("$")) {
        continue;
      }
      base.append(token.chars().allMatch(Character::isDigit) ? "[" + token + "]" : "." + token);
    }
    // "required" is reported on the parent object; name the missing field as the API server does.
    if ("required".equals(e.getKeyword()) && e.getProperty() != null) {
      return base + "." + e.getProperty();
    }
    return base.toString();
  }

  /** The API server defaults absent fields from the schema before validating, recursively. */
  static void applyDefaults(JsonNode schema, JsonNode value) {
    if (value instanceof ObjectNode obj) {
      JsonNode props = schema.path("properties");
      for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> p = it.next();
        if (!obj.has(p.getKey()) && p.getValue().has("default")) {
          obj.set(p.getKey(), p.getValue().get("default").deepCopy());
        }
        if (obj.has(p.getKey())) {
          applyDefaults(p.getValue(), obj.get(p.getKey()));
        }
      }
    } else if (value != null && value.isArray()) {
      for (JsonNode item : value) {
        applyDefaults(schema.path("items"), item);
      }
    }
  }

  private static void unknownFields(JsonNode schema, JsonNode value, String path, List<Violation> out) {
    if (value.isObject() && schema.has("properties")) {
      for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!schema.path("properties").has(name)) {
          out.add(new Violation(path + "." + name, "unknown field"));
        } else {
          unknownFields(schema.path("properties").path(name), value.get(name), path + "." + name, out);
        }
      }
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        unknownFields(schema.path("items"), value.get(i), path + "[" + i + "]", out);
      }
    }
  }

  private static void rules(JsonNode schema, JsonNode value, String path, List<Violation> out) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      String message = rule.path("message").asText();
      try {
        Object result = CEL.evaluate(rule.path("rule").asText(), toCel(value));
        if (!Boolean.TRUE.equals(result)) {
          out.add(new Violation(path, message));
        }
      } catch (Exception e) {
        out.add(new Violation(path, "rule error (" + message + "): " + e.getMessage()));
      }
    }
    if (value.isObject()) {
      for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        JsonNode child = schema.path("properties").path(name);
        if (!child.isMissingNode()) {
          rules(child, value.get(name), path + "." + name, out);
        }
      }
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        rules(schema.path("items"), value.get(i), path + "[" + i + "]", out);
      }
    }
  }

  /** JSON to the values CEL expects: maps, lists, Long for integers, Double, Boolean, String. */
  static Object toCel(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), toCel(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(n -> list.add(toCel(n)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }

  static ObjectMapper json() {
    return JSON;
  }
}
