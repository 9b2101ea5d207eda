package io.cnm.operator.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.operator.error.CnmException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Addresses: 10.1.0.0/24 with gateway 10.1.0.1 unless a test says otherwise. */
class AddressPoolTest {
  static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  static AddressPool pool24() {
    return new AddressPool(Cidr.parse("10.1.0.0/24"), null, Set.of(ip("10.1.0.1")));
  }

  @Test
  void wholeSubnet_isHandedOutOnce_withoutNetworkBroadcastOrGateway() {
    AddressPool p = pool24();
    Set<IpAddress> seen = new HashSet<>();
    for (int i = 0; i < 253; i++) {
      assertThat(seen.add(p.allocate("ep" + i))).isTrue();
    }
    assertThat(seen).doesNotContain(ip("10.1.0.0"), ip("10.1.0.1"), ip("10.1.0.255"));
    assertThatThrownBy(() -> p.allocate("one-too-many")).isInstanceOf(CnmException.Conflict.class)
        .hasMessageContaining("no free address left in 10.1.0.0/24");
  }

  @Test
  void releasedAddress_isNotReusedBeforeTheRestOfTheRange() {
    AddressPool p = pool24();
    IpAddress first = p.allocate("a");
    assertThat(first).isEqualTo(ip("10.1.0.2"));
    p.release("a");
    assertThat(p.allocate("b")).isEqualTo(ip("10.1.0.3"));
  }

  @Test
  void serialAllocation_wrapsAroundToReleasedAddresses() {
    AddressPool p = new AddressPool(Cidr.parse("10.1.0.0/29"), null, Set.of(ip("10.1.0.1")));
    for (String o : new String[] {"a", "b", "c", "d", "e"}) {
      p.allocate(o);
    }
    p.release("b");
    assertThat(p.allocate("f")).isEqualTo(ip("10.1.0.3"));
  }

  @Test
  void allocate_isIdempotentPerOwner() {
    AddressPool p = pool24();
    assertThat(p.allocate("a")).isEqualTo(p.allocate("a"));
    assertThat(p.allocatedCount()).isEqualTo(1);
  }

  @Test
  void ipRange_limitsDynamicAddresses_butNotStaticOnes() {
    AddressPool p = new AddressPool(Cidr.parse("10.1.0.0/24"), Cidr.parse("10.1.0.128/25"), Set.of(ip("10.1.0.1")));
    assertThat(p.allocate("a")).isEqualTo(ip("10.1.0.128"));
    assertThat(p.claim("b", ip("10.1.0.5"), false)).isEqualTo(ip("10.1.0.5"));
    assertThat(p.freeInRange()).isEqualTo(126);
  }

  @Test
  void staticAddressInUse_namesItsHolder() {
    AddressPool p = pool24();
    p.claim("ns/web", ip("10.1.0.9"), false);
    assertThatThrownBy(() -> p.claim("ns/db", ip("10.1.0.9"), false))
        .isInstanceOfSatisfying(CnmException.Conflict.class, e -> assertThat(e.reason()).isEqualTo("AddressInUse"))
        .hasMessageContaining("ns/web");
    assertThatThrownBy(() -> p.claim("ns/db", ip("10.1.0.1"), false)).hasMessageContaining("reserved");
  }

  @Test
  void staticAddressOutsideSubnet_isOutOfRange() {
    assertThatThrownBy(() -> pool24().claim("x", ip("10.2.0.9"), false))
        .isInstanceOfSatisfying(CnmException.InvalidConfig.class, e -> assertThat(e.reason()).isEqualTo("AddressOutOfRange"));
  }

  @Test
  void restoredAddress_movesTheCursorPastIt() {
    AddressPool p = pool24();
    p.claim("a", ip("10.1.0.50"), true);
    assertThat(p.allocate("b")).isEqualTo(ip("10.1.0.51"));
  }

  @Test
  void slash31_hasNoNetworkOrBroadcastReservation() {
    AddressPool p = new AddressPool(Cidr.parse("10.1.0.0/31"), null, Set.of());
    assertThat(p.allocate("a")).isEqualTo(ip("10.1.0.0"));
    assertThat(p.allocate("b")).isEqualTo(ip("10.1.0.1"));
  }

  @Test
  void ipv6Subnet_allocatesFromItsStart() {
    AddressPool p = new AddressPool(Cidr.parse("2001:db8::/64"), null, Set.of(ip("2001:db8::1")));
    assertThat(p.allocate("a")).isEqualTo(ip("2001:db8::2"));
  }
}
