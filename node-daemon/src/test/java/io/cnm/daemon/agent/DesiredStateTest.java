package io.cnm.daemon.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import io.cnm.api.status.Conditions;
import io.cnm.api.v1alpha1.BridgeOptions;
import io.cnm.api.v1alpha1.CnmEndpoint;
import io.cnm.api.v1alpha1.CnmEndpointSpec;
import io.cnm.api.v1alpha1.CnmEndpointStatus;
import io.cnm.api.v1alpha1.CnmNetwork;
import io.cnm.api.v1alpha1.CnmNetworkSpec;
import io.cnm.api.v1alpha1.CnmNetworkStatus;
import io.cnm.api.v1alpha1.Sandbox;
import io.cnm.daemon.dns.Answerer;
import io.cnm.daemon.driver.Drivers;
import io.cnm.daemon.driver.NetworkInfo;
import io.cnm.daemon.driver.Peer;
import io.cnm.daemon.driver.Underlay;
import io.cnm.daemon.driver.bridge.BridgeDriver;
import io.cnm.daemon.sandbox.Sandboxes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The pure desired state from its two inputs. Node "n1" (VTEP 198.19.0.11) holds endpoint "web"
 * (10.0.0.3) on overlay "ov" (network ID ov0000000001, cluster scope) and "db" (172.17.0.2) on
 * bridge "br"; node "n2" (VTEP 198.19.0.12) publishes "api" (10.0.0.2) on ov. No I/O: the drivers
 * are only asked their names.
 */
class DesiredStateTest {
  static final Drivers DRIVERS = Drivers.builtIn(new Sandboxes(null, null), new Underlay(null, 1500), Cidr.parse("172.31.240.0/20"));
  static final IpAddress VTEP = IpAddress.parse("198.19.0.11");

  static CnmNetwork network(String name, String driver, String id, String scope, String subnet) {
    CnmNetwork n = new CnmNetwork();
    n.getMetadata().setName(name);
    n.getMetadata().setNamespace("t");
    CnmNetworkSpec spec = new CnmNetworkSpec();
    spec.setDriver(driver);
    n.setSpec(spec);
    CnmNetworkStatus st = new CnmNetworkStatus();
    st.setNetworkId(id);
    st.setScope(scope);
    st.setSubnets(List.of(subnet));
    st.setVni(driver.equals("overlay") ? 4096 : null);
    n.setStatus(st);
    return n;
  }

  static CnmEndpoint endpoint(String name, String network, String ip, String node) {
    CnmEndpoint e = new CnmEndpoint();
    e.getMetadata().setName(name);
    e.getMetadata().setNamespace("t");
    CnmEndpointSpec spec = new CnmEndpointSpec();
    spec.setNetwork(network);
    spec.setSandbox(Sandbox.ofNetns(node, "/run/netns/" + name));
    spec.setAliases(List.of(name + "-alias"));
    e.setSpec(spec);
    CnmEndpointStatus st = new CnmEndpointStatus();
    st.setNodeName(node);
    st.setIpv4Address(ip + "/24");
    st.setMacAddress("02:42:00:00:00:" + ip.substring(ip.lastIndexOf('.') + 1));
    st.setConditions(Conditions.set(null, Conditions.READY, true, "Bound", "t", 1L));
    e.setStatus(st);
    return e;
  }

  static DesiredState compute(List<CnmNetwork> nets, List<CnmEndpoint> eps, Map<String, List<EndpointRecord>> remote) {
    return DesiredState.compute("n1", VTEP, new DesiredState.Api(nets, eps, List.of()), DRIVERS, e -> Optional.of(
        e.getSpec().getSandbox().getNetnsPath()), new DesiredState.Gossip(remote, Map.of()));
  }

  final CnmNetwork ov = network("ov", "overlay", "ov0000000001", "cluster", "10.0.0.0/24");
  final CnmNetwork br = network("br", "bridge", "br0000000001", "local", "172.17.0.0/16");
  final EndpointRecord api = new EndpointRecord("ov0000000001", "n2", List.of("api", "api-svc"), IpAddress.parse("10.0.0.2"),
      "02:42:0a:00:00:02", IpAddress.parse("198.19.0.12"));

  @Test
  void localEndpointOnAClusterNetwork_isPublishedWithItsNamesAndThisNodesVtep_aBridgeOneIsNot() {
    DesiredState d = compute(List.of(ov, br), List.of(endpoint("web", "ov", "10.0.0.3", "n1"), endpoint("db", "br", "172.17.0.2", "n1")),
        Map.of());
    assertThat(d.published()).containsOnlyKeys("ov0000000001");
    EndpointRecord web = d.published().get("ov0000000001").get("t/web");
    assertThat(web.names()).containsExactly("web", "web-alias");
    assertThat(web.vtep()).isEqualTo(VTEP);
    assertThat(web.node()).isEqualTo("n1");
    assertThat(EndpointRecord.decode("ov0000000001", web.encode())).isEqualTo(web);
  }

  /**
   * The agent's memo: an endpoint object seen before (the same instance: an informer replaces an
   * object when it changes) keeps its join; a changed one, a changed network or a sandbox found
   * elsewhere is built anew; the result is what a computation without the memo gives.
   */
  @Test
  void theMemoKeepsTheJoinsOfUnchangedObjects_andRebuildsWhatChanged() {
    DesiredState.Memo memo = new DesiredState.Memo();
    CnmEndpoint web = endpoint("web", "ov", "10.0.0.3", "n1");
    CnmEndpoint db = endpoint("db", "ov", "10.0.0.4", "n1");
    Map<CnmEndpoint, String> paths = new java.util.IdentityHashMap<>(Map.of(web, "/run/netns/web", db, "/run/netns/db"));
    java.util.function.BiFunction<List<CnmNetwork>, List<CnmEndpoint>, DesiredState> pass = (nets, eps) -> DesiredState.compute("n1",
        VTEP, new DesiredState.Api(nets, eps, List.of()), DRIVERS, e -> Optional.ofNullable(paths.get(e)), DesiredState.Gossip.NONE, memo);
    DesiredState first = pass.apply(List.of(ov), List.of(web, db));
    DesiredState again = pass.apply(List.of(ov), List.of(web, db));
    assertThat(again.joins().get(0)).isSameAs(first.joins().get(0));
    assertThat(again.joins().get(1)).isSameAs(first.joins().get(1));
    assertThat(again.dns()).as("the same snapshot: the DNS keeps its encoded answers").isSameAs(first.dns());

    CnmEndpoint movedDb = endpoint("db", "ov", "10.0.0.9", "n1"); // its status changed: a new object
    paths.put(movedDb, "/run/netns/db");
    paths.put(web, "/run/netns/web-2"); // web's sandbox found elsewhere
    DesiredState changed = pass.apply(List.of(ov), List.of(web, movedDb));
    assertThat(changed.joins().get(0).info().netnsPath()).isEqualTo("/run/netns/web-2");
    assertThat(changed.joins().get(1)).isNotSameAs(first.joins().get(1));
    assertThat(changed.joins().get(1).info().ipv4().toString()).isEqualTo("10.0.0.9/24");
    DesiredState plain = DesiredState.compute("n1", VTEP, new DesiredState.Api(List.of(ov), List.of(web, movedDb), List.of()), DRIVERS,
        e -> Optional.ofNullable(paths.get(e)), DesiredState.Gossip.NONE);
    assertThat(changed.joins()).isEqualTo(plain.joins());
    assertThat(changed.networks()).isEqualTo(plain.networks());
    assertThat(changed.dns()).isNotSameAs(first.dns()).isEqualTo(plain.dns());
    assertThat(changed.dns().namesOfNetwork().get("t/ov").get("db")).containsExactly(IpAddress.parse("10.0.0.9"));

    CnmNetwork ov2 = network("ov", "overlay", "ov0000000001", "cluster", "10.0.0.0/24"); // the network object replaced
    DesiredState renewed = pass.apply(List.of(ov2), List.of(web, movedDb));
    assertThat(renewed.joins().get(0)).isNotSameAs(changed.joins().get(0)).isEqualTo(changed.joins().get(0));

    // The endpoint object unchanged but its network no longer usable (no network ID yet): it is looked at again, not kept.
    CnmNetwork pending = network("ov", "overlay", null, "cluster", "10.0.0.0/24");
    DesiredState without = pass.apply(List.of(pending), List.of(web, movedDb));
    assertThat(without.joins()).isEmpty();
    assertThat(without.dns().namesOfNetwork()).isEmpty();
    DesiredState back = pass.apply(List.of(ov2), List.of(web, movedDb));
    assertThat(back.joins()).isEqualTo(renewed.joins());
    // An endpoint no longer ready (a new object) is not kept either.
    CnmEndpoint unready = endpoint("web", "ov", "10.0.0.3", "n1");
    unready.getStatus().setConditions(Conditions.set(null, Conditions.READY, false, "AddressInUse", "t", 1L));
    paths.put(unready, "/run/netns/web-2");
    assertThat(pass.apply(List.of(ov2), List.of(unready, movedDb)).joins()).extracting(j -> j.endpoint().getMetadata().getName())
        .containsExactly("db");
  }

  /**
   * The memo's records after endpoints come, go and change, a few at a time, over sandboxes with
   * several endpoints (two on one network), names several endpoints share, names a service holds
   * (its own and tasks.NAME, taken as aliases) and another node's records: always what a whole
   * computation of the same inputs gives.
   */
  @Test
  void theMemosRecords_afterSmallChanges_areThoseOfAWholeComputation() {
    var svc = service("api", "ov", "10.0.0.250/24", 80, 8080);
    var memo = new DesiredState.Memo();
    var rnd = new java.util.Random(11);
    List<String> aliases = List.of("api", "tasks.api", "shared", "cache", "api-svc");
    Map<String, CnmEndpoint> eps = new java.util.LinkedHashMap<>();
    int ip = 10;
    for (int step = 0; step < 400; step++) {
      for (int op = rnd.nextInt(3); op >= 0; op--) {
        String name = "e" + rnd.nextInt(40);
        if (eps.containsKey(name) && rnd.nextInt(3) == 0) {
          eps.remove(name);
          continue;
        }
        boolean onOv = rnd.nextBoolean();
        ip++;
        CnmEndpoint e = endpoint(name, onOv ? "ov" : "br", (onOv ? "10.0.0." : "172.17.0.") + ip % 250, "n1");
        e.getSpec().setSandbox(Sandbox.ofNetns("n1", "/run/netns/sb" + rnd.nextInt(6)));
        e.getSpec().setAliases(List.of(aliases.get(rnd.nextInt(aliases.size())), aliases.get(rnd.nextInt(aliases.size()))));
        eps.put(name, e); // a new object, as an informer's: a changed endpoint or a new one
      }
      var in = new DesiredState.Api(List.of(ov, br), List.copyOf(eps.values()), List.of(svc));
      var remote = new DesiredState.Gossip(Map.of("ov0000000001", List.of(api)), Map.of());
      DesiredState kept = DesiredState.compute("n1", VTEP, in, DRIVERS, e -> Optional.of(e.getSpec().getSandbox().getNetnsPath()), remote,
          memo);
      DesiredState whole = DesiredState.compute("n1", VTEP, in, DRIVERS, e -> Optional.of(e.getSpec().getSandbox().getNetnsPath()), remote);
      assertThat(kept.dns()).as("step %d", step).isEqualTo(whole.dns());
    }
  }

  /** One endpoint's change makes only its own names anew: another network's table is the very one of the last snapshot. */
  @Test
  void oneEndpointJoining_leavesTheOtherNetworksNamesAsTheyWere() {
    var memo = new DesiredState.Memo();
    List<CnmEndpoint> eps = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      eps.add(endpoint("w" + i, "ov", "10.0.0." + (i + 10), "n1"));
    }
    eps.add(endpoint("db", "br", "172.17.0.2", "n1"));
    java.util.function.Function<List<CnmEndpoint>, DesiredState> pass = list -> DesiredState.compute("n1", VTEP,
        new DesiredState.Api(List.of(ov, br), List.copyOf(list), List.of()), DRIVERS, e -> Optional.of(e.getSpec().getSandbox().getNetnsPath()),
        DesiredState.Gossip.NONE, memo);
    DesiredState before = pass.apply(eps);
    eps.add(endpoint("cache", "br", "172.17.0.3", "n1"));
    DesiredState after = pass.apply(eps);
    assertThat(after.dns().namesOfNetwork().get("t/ov")).isSameAs(before.dns().namesOfNetwork().get("t/ov"));
    assertThat(after.dns().namesOfNetwork().get("t/br")).containsKeys("cache", "cache-alias", "db");
    assertThat(Answerer.answer(after.dns(), "/run/netns/db", "cache", 4)).isEqualTo(new Answerer.Local(List.of(IpAddress.parse("172.17.0.3"))));
    eps.remove(eps.size() - 1);
    DesiredState gone = pass.apply(eps);
    assertThat(gone.dns().namesOfNetwork().get("t/ov")).isSameAs(before.dns().namesOfNetwork().get("t/ov"));
    assertThat(gone.dns()).isEqualTo(before.dns());
    assertThat(gone.dns().networksOfSandbox()).doesNotContainKey("/run/netns/cache");
  }

  @Test
  void otherNodesRecords_becomePeersAndNames_onlyOnTheirNetwork_andOwnRecordsAreNotPeers() {
    EndpointRecord mine = new EndpointRecord("ov0000000001", "n1", List.of("web"), IpAddress.parse("10.0.0.3"), "02:42:0a:00:00:03", VTEP);
    DesiredState d = compute(List.of(ov, br), List.of(endpoint("web", "ov", "10.0.0.3", "n1"), endpoint("db", "br", "172.17.0.2", "n1")),
        Map.of("ov0000000001", List.of(api, mine)));
    assertThat(d.peers()).containsOnlyKeys("t/ov");
    assertThat(d.peers().get("t/ov")).containsExactly(new Peer(api.ip(), api.mac(), api.vtep()));
    assertThat(Answerer.answer(d.dns(), "/run/netns/web", "api-svc", 4)).isEqualTo(new Answerer.Local(List.of(api.ip())));
    assertThat(Answerer.answer(d.dns(), "/run/netns/web", "api.ov", 4)).isEqualTo(new Answerer.Local(List.of(api.ip())));
    assertThat(Answerer.answer(d.dns(), "/run/netns/db", "api", 4)).as("db is on the bridge network only")
        .isInstanceOf(Answerer.Forward.class);
  }

  static io.cnm.api.v1alpha1.CnmService service(String name, String network, String vipCidr, int port, int targetPort) {
    io.cnm.api.v1alpha1.CnmService svc = new io.cnm.api.v1alpha1.CnmService();
    svc.getMetadata().setName(name);
    svc.getMetadata().setNamespace("t");
    io.cnm.api.v1alpha1.CnmServiceSpec spec = new io.cnm.api.v1alpha1.CnmServiceSpec();
    spec.setNetworks(List.of(network));
    spec.setSelector(Map.of("app", name));
    io.cnm.api.v1alpha1.ServicePort p = new io.cnm.api.v1alpha1.ServicePort();
    p.setPort(port);
    p.setTargetPort(targetPort);
    spec.setPorts(List.of(p));
    svc.setSpec(spec);
    io.cnm.api.v1alpha1.CnmServiceStatus st = new io.cnm.api.v1alpha1.CnmServiceStatus();
    st.setVirtualIPs(List.of(new io.cnm.api.v1alpha1.VirtualIP(network, vipCidr)));
    svc.setStatus(st);
    return svc;
  }

  @Test
  void eachSandboxBalancesTheVipsOfItsOwnNetworks_overLocalAndRemoteServingBackends() {
    var svc = service("api", "ov", "10.0.0.250/24", 80, 8080);
    var other = service("other", "br", "172.17.0.250/16", 80, 8080);
    svc.getSpec().setSessionAffinity(io.cnm.api.v1alpha1.SessionAffinity.CLIENT_IP);
    CnmEndpoint web = endpoint("web", "ov", "10.0.0.3", "n1");
    web.getMetadata().setLabels(Map.of("app", "api"));
    web.getMetadata().setAnnotations(Map.of(CnmEndpoint.WEIGHT_ANNOTATION, "2"));
    CnmEndpoint client = endpoint("client", "ov", "10.0.0.4", "n1");
    CnmEndpoint unready = endpoint("unready", "ov", "10.0.0.5", "n1");
    unready.getMetadata().setLabels(Map.of("app", "api"));
    unready.getSpec().setSandbox(io.cnm.api.v1alpha1.Sandbox.ofPod("unready-pod"));
    CnmEndpoint drained = endpoint("drained", "ov", "10.0.0.6", "n1");
    drained.getMetadata().setLabels(Map.of("app", "api"));
    drained.getMetadata().setAnnotations(Map.of(CnmEndpoint.WEIGHT_ANNOTATION, "0"));
    CnmEndpoint db = endpoint("db", "br", "172.17.0.2", "n1");
    ServiceBackendRecord remote = new ServiceBackendRecord("ov0000000001", "n2", "t/api", IpAddress.parse("10.0.0.250"),
        IpAddress.parse("10.0.0.2"), 3);
    DesiredState d = DesiredState.compute("n1", VTEP, new DesiredState.Api(List.of(ov, br), List.of(web, client, unready, drained, db),
        List.of(svc, other), java.util.Set.of("t/unready-pod"), java.util.Set.of()), DRIVERS, e -> Optional.of(e.getSpec().getSandbox().getNetnsPath() == null
        ? "/proc/1/ns/net-pod" : e.getSpec().getSandbox().getNetnsPath()), new DesiredState.Gossip(Map.of(), Map.of("ov0000000001",
        List.of(remote))));
    io.cnm.daemon.lb.Frontend f = new io.cnm.daemon.lb.Frontend(IpAddress.parse("10.0.0.250"), "tcp", 80, true);
    var expected = Map.of(f, List.of(new io.cnm.daemon.lb.Backend(IpAddress.parse("10.0.0.2"), 8080, 3),
        new io.cnm.daemon.lb.Backend(IpAddress.parse("10.0.0.3"), 8080, 2)));
    assertThat(d.balancers().get("/run/netns/client").services()).isEqualTo(expected);
    // Network-scoped: db's sandbox is on br only and reaches the other service's VIP, not api's.
    assertThat(d.balancers().get("/run/netns/db").services().keySet()).extracting(io.cnm.daemon.lb.Frontend::vip)
        .containsOnly(IpAddress.parse("172.17.0.250"));
    // The unready pod and the drained endpoint serve nothing: not in DNS, not published to the gossip.
    assertThat(Answerer.answer(d.dns(), "/run/netns/client", "tasks.api", 4)).isEqualTo(new Answerer.Local(List.of(
        IpAddress.parse("10.0.0.3"), IpAddress.parse("10.0.0.2"))));
    assertThat(d.publishedBackends().get("ov0000000001")).containsOnlyKeys(ServiceBackendRecord.key("t/api", "t/web"));
    assertThat(d.publishedBackends().get("ov0000000001").values().iterator().next().weight()).isEqualTo(2);
  }

  @Test
  void selectedLocalEndpoint_isPublishedAsAServiceBackend_andRemoteBackendsJoinTasksAnswers() {
    io.cnm.api.v1alpha1.CnmService svc = new io.cnm.api.v1alpha1.CnmService();
    svc.getMetadata().setName("api");
    svc.getMetadata().setNamespace("t");
    io.cnm.api.v1alpha1.CnmServiceSpec spec = new io.cnm.api.v1alpha1.CnmServiceSpec();
    spec.setNetworks(List.of("ov"));
    spec.setSelector(Map.of("app", "api"));
    svc.setSpec(spec);
    io.cnm.api.v1alpha1.CnmServiceStatus st = new io.cnm.api.v1alpha1.CnmServiceStatus();
    io.cnm.api.v1alpha1.VirtualIP vip = new io.cnm.api.v1alpha1.VirtualIP();
    vip.setNetwork("ov");
    vip.setAddress("10.0.0.250/24");
    st.setVirtualIPs(List.of(vip));
    svc.setStatus(st);
    CnmEndpoint web = endpoint("web", "ov", "10.0.0.3", "n1");
    web.getMetadata().setLabels(Map.of("app", "api"));
    ServiceBackendRecord remote = new ServiceBackendRecord("ov0000000001", "n2", "t/api", IpAddress.parse("10.0.0.250"),
        IpAddress.parse("10.0.0.2"));
    DesiredState d = DesiredState.compute("n1", VTEP, new DesiredState.Api(List.of(ov), List.of(web), List.of(svc)), DRIVERS,
        e -> Optional.of(e.getSpec().getSandbox().getNetnsPath()), new DesiredState.Gossip(Map.of(), Map.of("ov0000000001", List.of(remote))));
    ServiceBackendRecord mine = d.publishedBackends().get("ov0000000001").get(ServiceBackendRecord.key("t/api", "t/web"));
    assertThat(mine).isEqualTo(new ServiceBackendRecord("ov0000000001", "n1", "t/api", IpAddress.parse("10.0.0.250"),
        IpAddress.parse("10.0.0.3")));
    assertThat(ServiceBackendRecord.decode("ov0000000001", mine.encode())).isEqualTo(mine);
    assertThat(Answerer.answer(d.dns(), "/run/netns/web", "tasks.api", 4)).isEqualTo(new Answerer.Local(List.of(
        IpAddress.parse("10.0.0.3"), IpAddress.parse("10.0.0.2"))));
    assertThat(Answerer.answer(d.dns(), "/run/netns/web", "api", 4)).isEqualTo(new Answerer.Local(List.of(IpAddress.parse("10.0.0.250"))));
  }

  @Test
  void recordsOfANetworkWithNoLocalEndpoint_areIgnored() {
    DesiredState d = compute(List.of(ov, br), List.of(endpoint("db", "br", "172.17.0.2", "n1")), Map.of("ov0000000001", List.of(api)));
    assertThat(d.networks()).containsOnlyKeys("t/br");
    assertThat(d.peers()).isEmpty();
    assertThat(d.published()).isEmpty();
  }

  @Test
  void unknownDriver_isAProblemNamingTheDriversThisNodeHas() {
    CnmNetwork weird = network("w", "weave", "w00000000001", "local", "10.9.0.0/24");
    DesiredState d = compute(List.of(weird), List.of(endpoint("x", "w", "10.9.0.2", "n1")), Map.of());
    assertThat(d.problems()).singleElement().satisfies(p -> {
      assertThat(p.reason()).isEqualTo("DriverUnavailable");
      assertThat(p.message()).contains("weave").contains("bridge, overlay, host, null");
    });
  }

  @Test
  void aRemoteNetwork_carriesItsFreeOptionsAndTheDriversAllocation_toTheDriver() {
    CnmNetwork g = network("g", "bridge", "g00000000001", "cluster", "10.9.0.0/24");
    g.getSpec().setOptions(Map.of("gnet.tenant", "blue"));
    g.getStatus().setDriverState(Map.of("gnet.vlan", "101"));
    NetworkInfo n = DesiredState.networkInfo("t/g", g);
    assertThat(n.options()).containsEntry("gnet.tenant", "blue").containsEntry("gnet.vlan", "101");
  }

  @Test
  void encryptedOverlay_isNeverConnectedInPlaintext_butReportedEncryptionUnavailable() {
    io.cnm.api.v1alpha1.OverlayOptions o = new io.cnm.api.v1alpha1.OverlayOptions();
    o.setEncrypted(true);
    ov.getSpec().setOverlay(o);
    DesiredState d = compute(List.of(ov), List.of(endpoint("web", "ov", "10.0.0.3", "n1")), Map.of());
    assertThat(d.joins()).isEmpty();
    assertThat(d.published()).isEmpty();
    assertThat(d.problems()).singleElement().satisfies(p -> {
      assertThat(p.reason()).isEqualTo("EncryptionUnavailable");
      assertThat(p.message()).contains("plaintext");
    });
  }

  @Test
  void encryptedOverlay_onANodeThatEncrypts_joinsWithItsVniMarked_thePeersSessionsKnown_andTheMtuLoweredByEsp() {
    io.cnm.api.v1alpha1.OverlayOptions o = new io.cnm.api.v1alpha1.OverlayOptions();
    o.setEncrypted(true);
    ov.getSpec().setOverlay(o);
    Drivers encrypting = Drivers.builtIn(new Sandboxes(null, null), new Underlay(null, 1500),
        new io.cnm.daemon.driver.overlay.GwBridge(new Sandboxes(null, null), Cidr.parse("172.31.240.0/20")),
        // A node on the userspace path, not started: the computation asks it only its path and overhead.
        new io.cnm.daemon.encryption.UserspaceEsp(null, null, VTEP, 1500, 1, 1000, 0));
    EndpointRecord other = api.withSession(7);
    DesiredState d = DesiredState.compute("n1", VTEP, new DesiredState.Api(List.of(ov, br), List.of(endpoint("web", "ov", "10.0.0.3", "n1"),
        endpoint("db", "br", "172.17.0.2", "n1")), List.of()), encrypting, e -> Optional.of(e.getSpec().getSandbox().getNetnsPath()),
        new DesiredState.Gossip(Map.of("ov0000000001", List.of(other)), Map.of()));
    assertThat(d.problems()).isEmpty();
    assertThat(d.joins()).hasSize(2);
    assertThat(d.encryptedVnis()).containsExactly(4096);
    assertThat(d.encryptedPeers()).containsExactly(Map.entry(IpAddress.parse("198.19.0.12"), 7));
    var overlay = (io.cnm.daemon.driver.overlay.OverlayDriver) encrypting.get("overlay").orElseThrow();
    assertThat(overlay.mtu(d.networks().get("t/ov"))).isEqualTo(1500 - 50 - 45);
    // The bridge network is not encrypted, and a plain overlay keeps VXLAN's MTU.
    ov.getSpec().setOverlay(null);
    assertThat(overlay.mtu(DesiredState.networkInfo("t/ov", ov))).isEqualTo(1450);
    var firewall = NodeFirewalls.of(d, encrypting, "cnmesp0");
    assertThat(firewall.encryptedVnis()).containsExactly(4096);
    assertThat(firewall.encryptDevice()).isEqualTo("cnmesp0");
  }

  @Test
  void endpointRecord_carriesItsDaemonsSession_andOlderDaemonsStillReadIt() {
    EndpointRecord r = api.withSession(65535);
    assertThat(EndpointRecord.decode("ov0000000001", r.encode())).isEqualTo(r);
    assertThat(EndpointRecord.decode("ov0000000001", api.encode()).session()).isEqualTo(EndpointRecord.NO_SESSION);
    // A daemon that reads six fields (before sessions) sees the same record.
    String[] f = new String(r.encode(), java.nio.charset.StandardCharsets.UTF_8).split("\\|", -1);
    assertThat(f).hasSize(7);
    assertThat(f[5]).isEqualTo("198.19.0.12");
  }

  @Test
  void typedBridgeOptions_becomeDriverNeutralLabels() {
    BridgeOptions o = new BridgeOptions();
    o.setBridgeName("docker1");
    o.setEnableIcc(false);
    br.getSpec().setBridge(o);
    DesiredState d = compute(List.of(br), List.of(endpoint("db", "br", "172.17.0.2", "n1")), Map.of());
    var info = d.networks().get("t/br");
    assertThat(BridgeDriver.bridgeName(info)).isEqualTo("docker1");
    assertThat(info.flag(BridgeDriver.ICC, true)).isFalse();
    assertThat(info.cluster()).isFalse();
  }

  @Test
  void publishedPorts_ingressOpensEverywhereOverLocalAndOtherNodes_hostOnlyWhereABackendRuns() {
    CnmNetwork ingress = network("ingress", "overlay", "in0000000001", "cluster", "10.255.0.0/24");
    ingress.getSpec().setIngress(true);
    ingress.getStatus().setIngressAddresses(Map.of("n1", "10.255.0.2/24", "n2", "10.255.0.3/24"));
    var web = service("web", "br", "172.17.0.250/16", 80, 8080);
    web.getStatus().setPublishedPorts(List.of(
        new io.cnm.api.v1alpha1.PublishedPort(io.cnm.api.v1alpha1.PublishMode.INGRESS, null, 30080, 8080),
        new io.cnm.api.v1alpha1.PublishedPort(io.cnm.api.v1alpha1.PublishMode.HOST, null, 30081, 8080)));
    ServiceBackendRecord n2 = new ServiceBackendRecord("in0000000001", "n2", "t/web", null, IpAddress.parse("10.255.0.3"), 2);
    // No local backend: the ingress port goes only to n2 (twice its weight), the host port stays closed.
    DesiredState none = DesiredState.compute("n1", VTEP, new DesiredState.Api(List.of(br, ingress), List.of(), List.of(web)), DRIVERS,
        e -> Optional.empty(), new DesiredState.Gossip(Map.of(), Map.of("in0000000001", List.of(n2))));
    assertThat(none.ingress().address()).isEqualTo(Cidr.parse("10.255.0.2/24"));
    assertThat(none.published().get("in0000000001")).containsKey("ingress-node:n1");
    var ports = NodeFirewalls.servicePorts(none, DRIVERS);
    assertThat(ports).hasSize(1);
    assertThat(ports.get(0).port()).isEqualTo(30080);
    assertThat(ports.get(0).slots()).extracting(io.cnm.daemon.nft.NodeFirewall.Slot::address)
        .containsExactly(IpAddress.parse("10.255.0.3"), IpAddress.parse("10.255.0.3"));
    assertThat(ports.get(0).meshSlots()).isEmpty();
    // A local backend: both ports open, to it, and this node tells the others its weight on the ingress network.
    CnmEndpoint db = endpoint("db", "br", "172.17.0.2", "n1");
    db.getMetadata().setLabels(Map.of("app", "web"));
    DesiredState one = DesiredState.compute("n1", VTEP, new DesiredState.Api(List.of(br, ingress), List.of(db), List.of(web)), DRIVERS,
        e -> Optional.of(e.getSpec().getSandbox().getNetnsPath()), new DesiredState.Gossip(Map.of(), Map.of("in0000000001", List.of(n2))));
    ports = NodeFirewalls.servicePorts(one, DRIVERS);
    assertThat(ports).extracting(io.cnm.daemon.nft.NodeFirewall.ServicePort::port).containsExactly(30080, 30081);
    assertThat(ports.get(0).slots()).hasSize(3);
    assertThat(ports.get(0).meshSlots()).containsExactly(new io.cnm.daemon.nft.NodeFirewall.Slot("br-br0000000001", IpAddress.parse("172.17.0.2"),
        8080));
    assertThat(ports.get(1).slots()).isEqualTo(ports.get(0).meshSlots());
    assertThat(one.publishedBackends().get("in0000000001").get(ServiceBackendRecord.key("t/web", "ingress-node:n1")).weight()).isEqualTo(1);
  }

  @Test
  void anEndpointOnTheIngressNetwork_isRefused() {
    CnmNetwork ingress = network("ingress", "overlay", "in0000000001", "cluster", "10.255.0.0/24");
    ingress.getSpec().setIngress(true);
    DesiredState d = compute(List.of(ingress), List.of(endpoint("x", "ingress", "10.255.0.9", "n1")), Map.of());
    assertThat(d.joins()).isEmpty();
    assertThat(d.problems()).extracting(DesiredState.Problem::reason).containsExactly("IngressNetwork");
  }

  @Test
  void anEndpointOfAHostNetworkPod_isRefused_neverJoinedToTheNodesOwnNamespace() {
    CnmEndpoint ep = endpoint("hostpod", "br", "172.17.0.9", "n1");
    ep.getSpec().setSandbox(io.cnm.api.v1alpha1.Sandbox.ofPod("hostpod"));
    DesiredState d = DesiredState.compute("n1", VTEP, new DesiredState.Api(List.of(br), List.of(ep), List.of(), java.util.Set.of(),
        java.util.Set.of("t/hostpod")), DRIVERS, e -> Optional.of("/proc/1/ns/net"), DesiredState.Gossip.NONE);
    assertThat(d.joins()).isEmpty();
    assertThat(d.problems()).extracting(DesiredState.Problem::reason).containsExactly("HostNetworkPod");
  }
}
