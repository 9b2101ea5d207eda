package io.cnm.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real API server refuses a CRD whose CEL rules may cost too much, and it estimates that cost
 * from the largest value each rule can see: a string without maxLength, a list without maxItems
 * or a map without maxProperties counts as big as a whole request (about 3 MB). So, for every
 * rule of the generated CRDs: everything under the node that carries it is bounded, and an upper
 * bound of its cost, computed the way Kubernetes' estimator grows (string functions linear in
 * the string's length, each comprehension macro multiplying by the size of what it walks), stays
 * under a tenth of the per-rule limit.
 */
class CelCostBoundsTest {
  /** Kubernetes' StaticEstimatedCostLimit for one validation rule. */
  static final long PER_RULE_LIMIT = 10_000_000L;
  static final Pattern MACRO = Pattern.compile("\\.(all|exists|exists_one|map|filter)\\(");

  static JsonNode schema(String plural) throws IOException {
    try (InputStream in = CelCostBoundsTest.class.getResourceAsStream("/META-INF/fabric8/" + plural + ".cnm.io-v1.yml")) {
      JsonNode crd = new ObjectMapper(new YAMLFactory()).readTree(in);
      return crd.at("/spec/versions/0/schema/openAPIV3Schema");
    }
  }

  /** Paths under {@code node} whose size nothing bounds. */
  static void unbounded(JsonNode node, String path, List<String> out) {
    String type = node.path("type").asText("");
    switch (type) {
      case "string":
        if (!node.has("maxLength") && !node.has("enum")) {
          out.add(path + " (string without maxLength)");
        }
        break;
      case "array":
        if (!node.has("maxItems")) {
          out.add(path + " (list without maxItems)");
        }
        unbounded(node.path("items"), path + "[]", out);
        break;
      case "object":
        if (node.has("additionalProperties") && node.get("additionalProperties").isObject()) {
          if (!node.has("maxProperties")) {
            out.add(path + " (map without maxProperties)");
          }
          unbounded(node.get("additionalProperties"), path + "{}", out);
        }
        node.path("properties").fields().forEachRemaining(e -> unbounded(e.getValue(), path + "." + e.getKey(), out));
        break;
      default:
        break;
    }
  }

  /** An upper bound of the cost units needed to look at everything under {@code node} once. */
  static long size(JsonNode node) {
    switch (node.path("type").asText("")) {
      case "string":
        return node.has("maxLength") || node.has("enum") ? 1 + longestString(node) : 1 + 3_145_728 / 10;
      case "array":
        return 1 + node.path("maxItems").asLong(3_145_728 / 2) * size(node.path("items"));
      case "object": {
        long sum = 1;
        if (node.has("additionalProperties") && node.get("additionalProperties").isObject()) {
          sum += node.path("maxProperties").asLong(3_145_728 / 4) * (26 + size(node.get("additionalProperties")));
        }
        var it = node.path("properties").elements();
        while (it.hasNext()) {
          sum += size(it.next());
        }
        return sum;
      }
      default:
        return 1;
    }
  }

  record Rule(String path, String rule, JsonNode node) {}

  static void rules(JsonNode node, String path, List<Rule> out) {
    for (JsonNode v : node.path("x-kubernetes-validations")) {
      out.add(new Rule(path, v.path("rule").asText(), node));
    }
    node.path("properties").fields().forEachRemaining(e -> rules(e.getValue(), path + "." + e.getKey(), out));
    if (node.has("items")) {
      rules(node.get("items"), path + "[]", out);
    }
    if (node.path("additionalProperties").isObject()) {
      rules(node.get("additionalProperties"), path + "{}", out);
    }
  }

  /** The largest value of {@code at} over {@code node} and everything under it. */
  static long maxUnder(JsonNode node, java.util.function.ToLongFunction<JsonNode> at) {
    long max = at.applyAsLong(node);
    for (JsonNode child : List.of(node.path("items"), node.path("additionalProperties"))) {
      if (child.isObject()) {
        max = Math.max(max, maxUnder(child, at));
      }
    }
    var it = node.path("properties").elements();
    while (it.hasNext()) {
      max = Math.max(max, maxUnder(it.next(), at));
    }
    return max;
  }

  /** The longest string under {@code node}, in the estimator's cost units (one per 10 bytes; an enum's longest literal). */
  static long longestString(JsonNode node) {
    return maxUnder(node, n -> {
      if (!"string".equals(n.path("type").asText())) {
        return 0;
      }
      long length = n.path("maxLength").asLong(3_145_728);
      if (n.has("enum")) {
        length = 0;
        for (JsonNode e : n.get("enum")) {
          length = Math.max(length, e.asText().length());
        }
      }
      return (length + 9) / 10;
    });
  }

  /** The largest collection (maxItems, maxProperties) at or under {@code node}. */
  static long largestCollection(JsonNode node) {
    return maxUnder(node, n -> Math.max(n.path("maxItems").asLong(0), n.path("maxProperties").asLong(0)));
  }

  /**
   * An upper bound in the estimator's terms: without a macro, the cost of looking at everything
   * the rule sees once; with k nested macros over collections of at most n elements, n^k
   * iterations, each comparing at most two of the longest strings there (10 units plus one per
   * 10 bytes of each).
   */
  static long estimate(Rule r) {
    Matcher m = MACRO.matcher(r.rule());
    int macros = 0;
    while (m.find()) {
      macros++;
    }
    if (macros == 0) {
      return 10 * size(r.node());
    }
    long n = Math.max(1, largestCollection(r.node()));
    long iterations = 1;
    for (int i = 0; i < macros; i++) {
      iterations = Math.multiplyHigh(iterations, n) != 0 ? Long.MAX_VALUE / 1024 : iterations * n;
    }
    return iterations * (10 + 2 * longestString(r.node()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnmnetworks", "cnmendpoints", "cnmservices"})
  void everythingARuleReaches_isBounded_andEachRuleCostsUnderATenthOfTheLimit(String plural) throws IOException {
    List<Rule> rules = new ArrayList<>();
    rules(schema(plural), "", rules);
    assertThat(rules).as("the CRD has CEL rules").isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (Rule r : rules) {
      List<String> open = new ArrayList<>();
      unbounded(r.node(), r.path(), open);
      open.forEach(p -> problems.add("rule at " + r.path() + " reaches " + p));
      long cost = estimate(r);
      if (open.isEmpty() && cost > PER_RULE_LIMIT / 10) {
        problems.add("rule at " + r.path() + " may cost " + cost + " (over a tenth of " + PER_RULE_LIMIT + "): " + r.rule());
      }
    }
    Rule dearest = rules.stream().max(java.util.Comparator.comparingLong(CelCostBoundsTest::estimate)).orElseThrow();
    System.out.printf("%s: %d CEL rules, the dearest estimated at %d (limit %d) at %s%n", plural, rules.size(), estimate(dearest),
        PER_RULE_LIMIT, dearest.path());
    assertThat(problems).as("CEL rules of %s", plural).isEmpty();
  }
}
