package io.cnm.daemon.agent;

import io.cnm.api.gossip.GossipKeys;
import io.cnm.api.net.IpAddress;
import io.cnm.daemon.gossip.GossipConfig;
import io.cnm.daemon.gossip.GossipTls;
import io.cnm.daemon.gossip.Keyring;
import io.cnm.daemon.gossip.Memberlist;
import io.cnm.daemon.gossip.NettyTransport;
import io.cnm.daemon.gossip.NetworkDb;
import io.cnm.daemon.gossip.RealScheduler;
import io.cnm.daemon.netns.NetNamespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * The node-daemon's seat in the gossip: it waits for the keyring Secret the operator makes, then
 * binds the gossip port on the node's underlay address, joins through the other nodes' addresses
 * (the seed list, or every Node's InternalIP from the API) and serves the endpoint table to the
 * agent. The keyring follows the Secret, so a rotation needs no restart. Once joined, the gossip
 * needs no API server: membership and tables live among the daemons.
 */
public final class ClusterGossip implements ClusterTables, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ClusterGossip.class);

  private final KubernetesClient client;
  private final String node;
  private final IpAddress address;
  private final int port;
  private final NetNamespace ns;
  private final List<String> seedList;
  private final GossipConfig config;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private SharedIndexInformer<Secret> secret;
  private volatile GossipTables tables;
  private volatile Memberlist memberlist;
  private volatile List<InetSocketAddress> pendingSeeds;
  private final java.util.concurrent.atomic.AtomicBoolean joined = new java.util.concurrent.atomic.AtomicBoolean();
  private RealScheduler scheduler;
  private NettyTransport transport;
  private Keyring keyring;
  private volatile List<byte[]> keys = List.of();
  private int session = EndpointRecord.NO_SESSION;
  private GossipTls tls;
  private Secret lastSecret;

  /**
   * @param ns where to create the gossip sockets (the node's namespace), or null for the daemon's own
   * @param seeds host or host:port of other daemons; empty for every Node's InternalIP
   */
  public ClusterGossip(KubernetesClient client, String node, IpAddress address, int port, NetNamespace ns, List<String> seeds,
      GossipConfig config) {
    this.client = client;
    this.node = node;
    this.address = address;
    this.port = port;
    this.ns = ns;
    this.seedList = List.copyOf(seeds);
    this.config = config;
  }

  /** This daemon's ESP session, published with its endpoint records (before {@link #start}). */
  public ClusterGossip session(int s) {
    this.session = s;
    return this;
  }

  /**
   * The TCP sync over mutual TLS with this daemon's certificate (before {@link #start}): the
   * gossip starts once both the keyring and the certificate are there.
   */
  public ClusterGossip tls(GossipTls t) {
    this.tls = t;
    t.onChange(() -> {
      synchronized (this) {
        if (lastSecret != null && keyring == null) {
          keys(lastSecret); // the first certificate: the gossip can start (later ones are taken by the transport as they come)
        }
        if (memberlist != null) {
          memberlist.bar(t.revoked()); // nodes removed from the cluster lose their place
        }
      }
    });
    return this;
  }

  /** Watches the keyring Secret in {@code namespace}; the gossip starts when it has keys. */
  public void start(String namespace) {
    secret = client.secrets().inNamespace(namespace).withField("metadata.name", GossipKeys.SECRET).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Secret s) {
        keys(s);
      }

      @Override
      public void onUpdate(Secret a, Secret b) {
        keys(b);
      }

      @Override
      public void onDelete(Secret s, boolean unknown) {
        LOG.warnf("the gossip keyring Secret %s was deleted; the gossip keeps its last keys", GossipKeys.SECRET);
      }
    });
    if (secret.getStore().list().isEmpty()) {
      LOG.infof("waiting for the gossip keyring Secret %s/%s (the operator creates it); local networks work meanwhile",
          namespace, GossipKeys.SECRET);
    }
  }

  private synchronized void keys(Secret s) {
    List<byte[]> keys = GossipKeys.parse(s);
    if (keys.isEmpty()) {
      LOG.warnf("the gossip keyring Secret %s holds no keys", GossipKeys.SECRET);
      return;
    }
    this.keys = List.copyOf(keys);
    lastSecret = s;
    if (keyring == null && tls != null && !tls.ready()) {
      LOG.infof("the gossip waits for this node's certificate from the cluster CA (on its Lease %s)",
          io.cnm.api.status.NodeDaemonLease.name(node));
      return;
    }
    if (keyring != null) {
      keyring.setKeys(keys.subList(0, Math.min(Keyring.MAX_KEYS, keys.size())));
      LOG.infof("gossip keyring updated (%d keys)", keys.size());
      listeners.forEach(Runnable::run); // encrypted overlays take the new keys on the next pass
      return;
    }
    Keyring ring = new Keyring(keys.subList(0, Math.min(Keyring.MAX_KEYS, keys.size())));
    try {
      transport = new NettyTransport(new InetSocketAddress(address.toString(), port), ns, tls);
    } catch (RuntimeException e) {
      LOG.errorf("gossip not started: cannot bind UDP and TCP %s:%d (%s); overlay peers stay unknown until the port is free "
          + "and the daemon restarts (chart nodeDaemon.gossipPort)", address, port, e.getMessage());
      return;
    }
    keyring = ring;
    scheduler = new RealScheduler("cnm-gossip");
    Memberlist ml = new Memberlist(node, config, transport, keyring, scheduler, new SecureRandom());
    NetworkDb db = new NetworkDb(node, System.currentTimeMillis());
    List<InetSocketAddress> seeds = seeds();
    ml.start(db, seeds);
    db.attach(ml);
    GossipTables t = new GossipTables(db, node, session);
    listeners.forEach(t::onChange);
    tables = t;
    memberlist = ml;
    if (tls != null) {
      ml.bar(tls.revoked());
    }
    // Joined once the agent has published this node's records (or after 10 s without): a restarted daemon that joined
    // with empty tables would look to its peers as if it had left its networks, and they would drop its endpoints'
    // entries until its first publish, cutting connections across nodes for that moment.
    pendingSeeds = seeds;
    scheduler.schedule(10_000, this::joinOnce);
    listeners.forEach(Runnable::run);
  }

  private void joinOnce() {
    Memberlist ml = memberlist;
    List<InetSocketAddress> seeds = pendingSeeds;
    if (ml != null && seeds != null && joined.compareAndSet(false, true)) {
      ml.join(seeds).thenAccept(n -> LOG.infof("gossip on %s:%d joined through %d of %d peers", address, port, n, seeds.size()));
    }
  }

  /** Other daemons: the configured seeds, else every Node's InternalIP (daemons run on the host network). */
  List<InetSocketAddress> seeds() {
    List<InetSocketAddress> out = new ArrayList<>();
    if (!seedList.isEmpty()) {
      for (String s : seedList) {
        int i = s.indexOf(':');
        out.add(i > 0 && i == s.lastIndexOf(':') ? new InetSocketAddress(s.substring(0, i), Integer.parseInt(s.substring(i + 1)))
            : new InetSocketAddress(s.trim(), port));
      }
      return out;
    }
    try {
      for (Node n : client.nodes().list().getItems()) {
        if (n.getStatus() == null || n.getStatus().getAddresses() == null || n.getMetadata().getName().equals(node)) {
          continue;
        }
        n.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType())).map(NodeAddress::getAddress)
            .findFirst().ifPresent(a -> out.add(new InetSocketAddress(a, port)));
      }
    } catch (RuntimeException e) {
      LOG.warnf("cannot list the Nodes for gossip seeds (%s); set cnm.gossip.seeds", e.getMessage());
    }
    return out;
  }

  /** The membership, once the gossip runs (tests and health). */
  public Memberlist memberlist() {
    return memberlist;
  }

  @Override
  public Map<String, List<EndpointRecord>> endpoints() {
    GossipTables t = tables;
    return t == null ? Map.of() : t.endpoints();
  }

  @Override
  public Map<String, IpAddress> nodes() {
    Memberlist m = memberlist;
    Map<String, IpAddress> out = new java.util.HashMap<>();
    if (m != null) {
      m.members().values().stream().filter(x -> !x.state().gone())
          .forEach(x -> out.put(x.name(), IpAddress.parse(x.address().getAddress().getHostAddress())));
    }
    return out;
  }

  @Override
  public List<byte[]> keys() {
    return keys;
  }

  @Override
  public Map<String, List<ServiceBackendRecord>> serviceBackends() {
    GossipTables t = tables;
    return t == null ? Map.of() : t.serviceBackends();
  }

  @Override
  public void publish(Map<String, Map<String, EndpointRecord>> endpoints, Map<String, Map<String, ServiceBackendRecord>> backends) {
    GossipTables t = tables;
    if (t != null) {
      t.publish(endpoints, backends);
      joinOnce();
    }
  }

  @Override
  public boolean synced(String networkId) {
    GossipTables t = tables;
    return t != null && t.synced(networkId);
  }

  /** Synchronized with {@link #keys}: a listener added while the tables are being created is never lost. */
  @Override
  public synchronized void onChange(Runnable listener) {
    listeners.add(listener);
    GossipTables t = tables;
    if (t != null) {
      t.onChange(listener);
    }
  }

  @Override
  public void close() {
    if (secret != null) {
      secret.close();
    }
    // No leave announcement: a daemon restarted within the suspicion timeout disturbs no peer's
    // dataplane; one that stays away is declared dead by the probes and its entries go then.
    Memberlist ml = memberlist;
    if (ml != null) {
      ml.halt();
    }
    if (transport != null) {
      transport.close();
    }
    if (scheduler != null) {
      scheduler.close();
    }
  }
}
