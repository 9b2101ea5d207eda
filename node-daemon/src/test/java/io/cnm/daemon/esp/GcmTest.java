package io.cnm.daemon.esp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AES-GCM through libcrypto and through the JDK: the same bytes for the same inputs, each opening
 * what the other sealed, both refusing anything changed, and the GCM specification's test vector.
 */
class GcmTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @BeforeAll
  static void libcryptoIsThere() {
    assumeTrue(LibcryptoGcm.UNAVAILABLE == null, () -> {
      String why = "SKIPPED: libcrypto is not usable on this machine: " + LibcryptoGcm.UNAVAILABLE;
      System.out.println(why);
      return why;
    });
  }

  static Stream<Arguments> sizes() {
    return Stream.of(16, 24, 32).flatMap(k -> Stream.of(0, 1, 15, 16, 17, 1400, 8950, 70_000).map(n -> Arguments.of(k, n)));
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void libcryptoAndTheJdk_sealToTheSameBytes_andOpenEachOthers(int keyBytes, int length) {
    byte[] key = random(keyBytes);
    byte[] nonce = random(12);
    byte[] viaLibcrypto = random(8 + length + Gcm.TAG);
    byte[] viaJdk = viaLibcrypto.clone();
    byte[] plain = java.util.Arrays.copyOfRange(viaLibcrypto, 8, 8 + length);
    Gcm native_ = new LibcryptoGcm(key);
    Gcm jdk = new JdkGcm(key);

    native_.seal(nonce, viaLibcrypto, 0, 8, 8, length);
    jdk.seal(nonce, viaJdk, 0, 8, 8, length);

    assertThat(viaLibcrypto).isEqualTo(viaJdk);
    if (length >= 16) {
      assertThat(java.util.Arrays.copyOfRange(viaLibcrypto, 8, 8 + length)).as("encrypted").isNotEqualTo(plain);
    }
    byte[] out = new byte[length];
    assertThat(jdk.open(nonce, viaLibcrypto, 0, 8, 8, length + Gcm.TAG, out)).isTrue();
    assertThat(out).isEqualTo(plain);
    out = new byte[length];
    assertThat(new LibcryptoGcm(key).open(nonce, viaJdk, 0, 8, 8, length + Gcm.TAG, out)).isTrue();
    assertThat(out).isEqualTo(plain);
  }

  @Test
  void anyChangedBit_inTheCiphertextTheTagOrTheAad_failsToOpen_inBoth() {
    byte[] key = random(32);
    byte[] nonce = random(12);
    byte[] sealed = random(8 + 100 + Gcm.TAG);
    new LibcryptoGcm(key).seal(nonce, sealed, 0, 8, 8, 100);
    for (int at : List.of(0, 7, 8, 50, 107, 108, 123)) { // AAD, ciphertext, tag
      byte[] bad = sealed.clone();
      bad[at] ^= 0x01;
      for (Gcm g : List.of(new LibcryptoGcm(key), new JdkGcm(key))) {
        assertThat(g.open(nonce, bad, 0, 8, 8, 100 + Gcm.TAG, new byte[100])).as("bit flipped at %d, %s", at, g.getClass().getSimpleName())
            .isFalse();
      }
    }
    byte[] otherNonce = nonce.clone();
    otherNonce[11] ^= 1;
    assertThat(new LibcryptoGcm(key).open(otherNonce, sealed, 0, 8, 8, 100 + Gcm.TAG, new byte[100])).isFalse();
    assertThat(new LibcryptoGcm(key).open(nonce, sealed, 0, 8, 8, 100 + Gcm.TAG, new byte[100])).as("unchanged").isTrue();
  }

  /** The GCM specification's test case 16 (McGrew and Viega): AES-256, 60 bytes with 20 of AAD. */
  @Test
  void theSpecificationsTestCase16_sealsToItsCiphertextAndTag() {
    HexFormat hex = HexFormat.of();
    byte[] key = hex.parseHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    byte[] nonce = hex.parseHex("cafebabefacedbaddecaf888");
    byte[] aad = hex.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    byte[] plain = hex.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    String expected = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662" + "76fc6ece0f4e1768cddf8853bb2d551b";
    for (Gcm g : List.of(new LibcryptoGcm(key), new JdkGcm(key))) {
      byte[] buf = new byte[aad.length + plain.length + Gcm.TAG];
      System.arraycopy(aad, 0, buf, 0, aad.length);
      System.arraycopy(plain, 0, buf, aad.length, plain.length);
      g.seal(nonce, buf, 0, aad.length, aad.length, plain.length);
      assertThat(hex.formatHex(java.util.Arrays.copyOfRange(buf, aad.length, buf.length))).as(g.getClass().getSimpleName())
          .isEqualTo(expected);
    }
  }

  @Test
  void of_takesLibcrypto_whereTheNodeHasIt_andSaysSo() {
    assertThat(Gcm.of(random(16))).isInstanceOf(LibcryptoGcm.class);
    assertThat(Gcm.implementation()).startsWith("AES-GCM through libcrypto (OpenSSL ");
  }

  @Test
  void manyKeys_madeAndDropped_freeTheirContexts() throws Exception {
    long before = LibcryptoGcm.LIVE.get();
    for (int i = 0; i < 20_000; i++) {
      new LibcryptoGcm(random(32)).seal(random(12), new byte[8 + 16 + Gcm.TAG], 0, 8, 8, 16);
    }
    assertThat(LibcryptoGcm.LIVE.get() - before).as("contexts live before a collection").isPositive();
    for (int i = 0; i < 50 && LibcryptoGcm.LIVE.get() - before > 10; i++) { // an association tried once per packet must not leak
      System.gc();
      Thread.sleep(100);
    }
    assertThat(LibcryptoGcm.LIVE.get() - before).as("EVP contexts of dropped keys still held").isLessThanOrEqualTo(10);
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
