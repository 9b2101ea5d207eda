package io.cnm.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;

/**
 * Build step after Fabric8's CRD generator (run by {@link PrinterColumnOrder}): walks a CRD's
 * schema next to the model classes and gives the values of every map field marked
 * {@link MapValueLength} their maxLength.
 */
final class MapValueBounds {
  private MapValueBounds() {}

  /** For a resource class (a CustomResource of spec and status types) and its CRD's openAPIV3Schema. */
  static void applyToResource(JsonNode root, Class<?> resource) {
    Type t = resource.getGenericSuperclass();
    if (t instanceof ParameterizedType) {
      Type[] args = ((ParameterizedType) t).getActualTypeArguments();
      String[] parts = {"spec", "status"};
      for (int i = 0; i < Math.min(args.length, parts.length); i++) {
        if (args[i] instanceof Class<?>) {
          apply(root.path("properties").path(parts[i]), (Class<?>) args[i]);
        }
      }
    }
  }

  /** @param schema the schema of an object of {@code type} (its "properties" are the fields) */
  static void apply(JsonNode schema, Class<?> type) {
    for (Class<?> c = type; c != null && c.getName().startsWith("io.cnm."); c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        JsonNode prop = schema.path("properties").path(f.getName());
        if (prop.isMissingNode()) {
          continue;
        }
        MapValueLength bound = f.getAnnotation(MapValueLength.class);
        if (bound != null && prop.path("additionalProperties").isObject()) {
          ((ObjectNode) prop.get("additionalProperties")).put("maxLength", bound.value());
        }
        Class<?> element = modelElement(f.getGenericType());
        if (element != null) {
          apply(List.class.isAssignableFrom(f.getType()) ? prop.path("items") : prop, element);
        }
      }
    }
  }

  /** The project's own class a field holds (directly or as a list's elements), or null. */
  private static Class<?> modelElement(Type t) {
    if (t instanceof Class<?> && ((Class<?>) t).getName().startsWith("io.cnm.api.v1alpha1.") && !((Class<?>) t).isEnum()) {
      return (Class<?>) t;
    }
    if (t instanceof ParameterizedType && List.class.isAssignableFrom((Class<?>) ((ParameterizedType) t).getRawType())) {
      return modelElement(((ParameterizedType) t).getActualTypeArguments()[0]);
    }
    return null;
  }
}
