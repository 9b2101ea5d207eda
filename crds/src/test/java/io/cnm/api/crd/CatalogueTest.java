package io.cnm.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnm.api.validation.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The CRDs' validation, proved on a catalogue of example objects. Each invalid example names the
 * rule that must refuse it and where; removing a rule from the model (and so from the generated
 * CRD) or from {@link io.cnm.api.validation.SpecValidator} fails its example here.
 */
class CatalogueTest {
  private static final List<JsonNode> VALID = Catalogue.load("valid.yaml");
  private static final List<JsonNode> INVALID = Catalogue.load("invalid.yaml");

  @Test
  void catalogue_isLargeEnough() {
    assertThat(VALID).hasSizeGreaterThanOrEqualTo(10);
    assertThat(INVALID).hasSizeGreaterThanOrEqualTo(25);
  }

  @TestFactory
  Stream<DynamicTest> validExample_isAcceptedByTheCrdAndTheJavaValidator() {
    return VALID.stream().map(doc -> DynamicTest.dynamicTest(Catalogue.name(doc), () -> {
      assertThat(Catalogue.byCrd(doc)).as("CRD verdict").isEmpty();
      assertThat(Catalogue.byJava(doc)).as("Java verdict").isEmpty();
    }));
  }

  @TestFactory
  Stream<DynamicTest> invalidExample_isRefusedByTheCrdForItsOneReason() {
    return INVALID.stream().map(doc -> DynamicTest.dynamicTest(Catalogue.name(doc), () -> {
      String path = Catalogue.annotation(doc, Catalogue.PATH);
      String expect = Catalogue.annotation(doc, Catalogue.EXPECT);
      List<Violation> violations = Catalogue.byCrd(doc);
      assertThat(violations).as("CRD verdict").anySatisfy(v -> {
        assertThat(v.path()).isEqualTo(path);
        assertThat(matches(v, expect)).as("%s matches %s", v, expect).isTrue();
      });
      // An example that breaks more than its own rule would stay invalid if its rule were removed.
      assertThat(violations).as("only the expected rule fails").allSatisfy(v -> assertThat(matches(v, expect)).isTrue());
    }));
  }

  @TestFactory
  Stream<DynamicTest> invalidExample_isRefusedByTheJavaValidatorAtTheSamePlace() {
    return INVALID.stream().map(doc -> DynamicTest.dynamicTest(Catalogue.name(doc), () -> {
      String path = Catalogue.annotation(doc, Catalogue.PATH);
      String expect = Catalogue.annotation(doc, Catalogue.EXPECT);
      List<Violation> violations = Catalogue.byJava(doc);
      if (expect.equals("schema:enum") || expect.equals("unknown field")) {
        // The typed model cannot hold an unknown enum value or field: reading the spec fails.
        assertThat(violations).as("Java verdict").singleElement()
            .satisfies(v -> assertThat(v.path()).isEqualTo("(unreadable)"));
        return;
      }
      assertThat(violations).as("Java verdict").isNotEmpty().allSatisfy(v -> assertThat(v.path()).isEqualTo(path));
      if (!expect.startsWith("schema:")) {
        assertThat(violations).extracting(Violation::message).containsExactly(expect);
      }
    }));
  }

  @Test
  void everyCelRuleOfTheCrds_hasAnInvalidExample() {
    Set<String> messages = new TreeSet<>();
    for (String plural : List.of("cnmnetworks", "cnmendpoints", "cnmservices")) {
      collectRuleMessages(CrdValidator.generatedCrd(plural), messages);
    }
    List<String> expected = new ArrayList<>();
    INVALID.forEach(doc -> expected.add(Catalogue.annotation(doc, Catalogue.EXPECT)));
    assertThat(messages).hasSizeGreaterThanOrEqualTo(30);
    assertThat(expected).containsAll(messages);
  }

  private static void collectRuleMessages(JsonNode node, Set<String> out) {
    if (node.isObject()) {
      node.path("x-kubernetes-validations").forEach(r -> out.add(r.path("message").asText()));
      node.forEach(child -> collectRuleMessages(child, out));
    } else if (node.isArray()) {
      node.forEach(child -> collectRuleMessages(child, out));
    }
  }

  private static boolean matches(Violation v, String expect) {
    if (expect.startsWith("schema:")) {
      return v.message().startsWith("schema " + expect.substring("schema:".length()) + ":");
    }
    return v.message().equals(expect);
  }
}
