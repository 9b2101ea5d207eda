package io.cnm.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Renders src-docs/api.md from the generated CRDs: every field with its type, description and
 * validation (schema constraints and CEL rules). {@code make api-docs} writes it;
 * {@link ApiReferenceTest} fails when the file and the CRDs disagree.
 */
public final class ApiReference {
  static final List<String> PLURALS = List.of("cnmnetworks", "cnmendpoints", "cnmservices");

  private ApiReference() {}

  public static void main(String[] args) throws IOException {
    // exec:java runs in Maven's JVM (cwd: the repo root); tests run in the module directory.
    Path out = Path.of(System.getProperty("cnm.apiDocs", "../src-docs/api.md"));
    Files.writeString(out, render());
    System.out.println("wrote " + out.toAbsolutePath().normalize());
  }

  static String render() {
    StringBuilder md = new StringBuilder();
    md.append("# API reference: cnm.io/v1alpha1\n\n")
        .append("Generated from the CRDs by `make api-docs`; a test fails when this page and the CRDs disagree.\n")
        .append("All three kinds are namespaced and have a status subresource. Validation marked *CEL* is a\n")
        .append("`x-kubernetes-validations` rule (Kubernetes 1.31+ for the IP and CIDR functions); the operator\n")
        .append("applies the same rules (`io.cnm.api.validation.SpecValidator`) and answers a violation with\n")
        .append("`Ready=False`, reason `InvalidSpec`.\n");
    for (String plural : PLURALS) {
      JsonNode crd = CrdValidator.generatedCrd(plural);
      JsonNode names = crd.path("spec").path("names");
      JsonNode version = crd.path("spec").path("versions").get(0);
      md.append("\n## ").append(names.path("kind").asText()).append("\n\n");
      md.append("`kubectl get ").append(plural).append("` (short name `").append(names.path("shortNames").get(0).asText())
          .append("`) columns: ");
      List<String> cols = new ArrayList<>();
      version.path("additionalPrinterColumns").forEach(c -> cols.add(c.path("name").asText()
          + (c.path("priority").asInt() > 0 ? " (-o wide)" : "")));
      md.append(String.join(", ", cols)).append(".\n\n");
      md.append("| Field | Type | Description | Validation |\n|---|---|---|---|\n");
      JsonNode root = version.path("schema").path("openAPIV3Schema").path("properties");
      rows(root.path("spec"), "spec", md);
      rows(root.path("status"), "status", md);
    }
    return md.toString();
  }

  private static void rows(JsonNode schema, String path, StringBuilder md) {
    List<String> rules = new ArrayList<>();
    schema.path("x-kubernetes-validations").forEach(r -> rules.add("CEL: " + r.path("message").asText()));
    if (!path.equals("spec") && !path.equals("status") || !rules.isEmpty()) {
      md.append("| `").append(path).append("` | ").append(type(schema)).append(" | ")
          .append(esc(schema.path("description").asText(""))).append(" | ").append(esc(validation(schema, rules))).append(" |\n");
    }
    JsonNode props = schema.path("properties");
    if (schema.path("type").asText().equals("array")) {
      props = schema.path("items").path("properties");
      schema.path("items").path("x-kubernetes-validations").forEach(r -> {
        md.append("| `").append(path).append("[]` | object | each item | ").append(esc("CEL: " + r.path("message").asText())).append(" |\n");
      });
    }
    for (Iterator<String> it = props.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      String child = path + (schema.path("type").asText().equals("array") ? "[]." : ".") + name;
      JsonNode childSchema = props.path(name);
      if (path.startsWith("status.conditions")) {
        continue;
      }
      rows(childSchema, child, md);
    }
  }

  private static String type(JsonNode s) {
    String t = s.path("type").asText("object");
    if (t.equals("array")) {
      return "[]" + s.path("items").path("type").asText("object");
    }
    if (t.equals("object") && s.has("additionalProperties")) {
      return "map[string]" + s.path("additionalProperties").path("type").asText();
    }
    return t;
  }

  private static String validation(JsonNode s, List<String> rules) {
    List<String> v = new ArrayList<>();
    if (s.has("enum")) {
      List<String> values = new ArrayList<>();
      s.path("enum").forEach(e -> values.add(e.asText()));
      v.add("one of " + String.join(", ", values));
    }
    if (s.has("default")) {
      v.add("default " + s.path("default").asText());
    }
    if (s.has("minimum") || s.has("maximum")) {
      v.add(num(s.path("minimum")) + "-" + num(s.path("maximum")));
    }
    if (s.has("maxLength")) {
      v.add("at most " + s.path("maxLength").asInt() + " characters");
    }
    if (s.has("maxItems")) {
      v.add((s.has("minItems") ? s.path("minItems").asInt() + "-" : "at most ") + s.path("maxItems").asInt() + " items");
    }
    if (s.has("maxProperties")) {
      v.add("at most " + s.path("maxProperties").asInt() + " entries");
    }
    if (s.has("pattern")) {
      v.add("pattern `" + s.path("pattern").asText() + "`");
    }
    if (s.path("items").has("pattern")) {
      v.add("items: pattern `" + s.path("items").path("pattern").asText() + "`");
    }
    v.addAll(rules);
    return String.join("; ", v);
  }

  private static String num(JsonNode n) {
    return n.isMissingNode() ? "" : String.valueOf(n.asLong());
  }

  private static String esc(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
