package io.cnm.api.gossip;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The gossip keyring's Secret, shared by the operator (who creates and rotates it) and the
 * node-daemons (who read it): data {@code keys} holds up to three base64 AES-256 keys, one per
 * line, the primary first; annotation {@code cnm.io/rotated-at} says when the primary was made.
 * A rotation puts a new key first and keeps the two before it, so every daemon still opens what
 * a daemon that has not yet seen the rotation seals.
 */
public final class GossipKeys {
  public static final String SECRET = "cnm-gossip-keys";
  public static final String DATA = "keys";
  public static final String ROTATED_AT = "cnm.io/rotated-at";
  public static final int MAX = 3;

  private GossipKeys() {}

  /** The keys of the Secret, primary first; empty when it holds none. */
  public static List<byte[]> parse(Secret s) {
    if (s == null || s.getData() == null || s.getData().get(DATA) == null) {
      return List.of();
    }
    String text = new String(Base64.getDecoder().decode(s.getData().get(DATA)), StandardCharsets.UTF_8);
    List<byte[]> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        out.add(Base64.getDecoder().decode(line.trim()));
      }
    }
    return out;
  }

  /** A new Secret with one fresh key. */
  public static Secret create(String namespace, Instant now, SecureRandom random) {
    return build(namespace, List.of(fresh(random)), now);
  }

  /** Whether the primary is older than the rotation period. */
  public static boolean due(Secret s, Instant now, Duration period) {
    String at = s.getMetadata().getAnnotations() == null ? null : s.getMetadata().getAnnotations().get(ROTATED_AT);
    return at == null || parse(s).isEmpty() || !Instant.ofEpochSecond(Long.parseLong(at)).plus(period).isAfter(now);
  }

  /** The Secret after a rotation: a fresh primary, then at most two of the previous keys. */
  public static Secret rotate(Secret s, Instant now, SecureRandom random) {
    List<byte[]> keys = new ArrayList<>();
    keys.add(fresh(random));
    List<byte[]> old = parse(s);
    keys.addAll(old.subList(0, Math.min(MAX - 1, old.size())));
    Secret next = build(s.getMetadata().getNamespace(), keys, now);
    next.getMetadata().setResourceVersion(s.getMetadata().getResourceVersion());
    return next;
  }

  private static byte[] fresh(SecureRandom random) {
    byte[] k = new byte[32];
    random.nextBytes(k);
    return k;
  }

  private static Secret build(String namespace, List<byte[]> keys, Instant now) {
    StringBuilder text = new StringBuilder();
    keys.forEach(k -> text.append(Base64.getEncoder().encodeToString(k)).append('\n'));
    return new SecretBuilder().withNewMetadata().withName(SECRET).withNamespace(namespace)
        .withAnnotations(Map.of(ROTATED_AT, String.valueOf(now.getEpochSecond())))
        .withLabels(Map.of("app.kubernetes.io/part-of", "cnm-operator")).endMetadata()
        .withType("Opaque")
        .withData(Map.of(DATA, Base64.getEncoder().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8)))).build();
  }
}
