package io.cnm.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** src-docs/api.md says what the CRDs say: regenerate with `make api-docs` after changing the API. */
class ApiReferenceTest {
  @Test
  void apiReference_matchesTheGeneratedCrds() throws IOException {
    String onDisk = Files.readString(Path.of("../src-docs/api.md"));
    assertThat(onDisk).as("src-docs/api.md is stale: run `make api-docs`").isEqualTo(ApiReference.render());
  }
}
