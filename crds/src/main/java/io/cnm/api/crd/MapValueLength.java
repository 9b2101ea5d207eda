package io.cnm.api.crd;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The longest value of a map of strings. Fabric8's generator bounds a map's size (@Size) but not
 * its values; a CEL rule that reaches an unbounded value is estimated as if it were a whole
 * request long, and a real API server refuses the CRD. {@link MapValueBounds} writes this into
 * the generated schema as the values' maxLength.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface MapValueLength {
  int value();
}
