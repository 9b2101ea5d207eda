package io.cnm.api.v1alpha1;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Short stable identifiers derived from a seed (network IDs, node-side link names). */
public final class Ids {
  private Ids() {}

  /** The first {@code hexDigits} hex digits of the seed's SHA-256: stable for the seed, spread evenly. */
  public static String shortHash(String seed, int hexDigits) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, hexDigits);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
