package io.cnm.daemon.gossip;

import io.cnm.daemon.gossip.Member.State;
import io.cnm.daemon.gossip.Message.Ack;
import io.cnm.daemon.gossip.Message.Alive;
import io.cnm.daemon.gossip.Message.Dead;
import io.cnm.daemon.gossip.Message.IndirectPing;
import io.cnm.daemon.gossip.Message.MemberState;
import io.cnm.daemon.gossip.Message.Nack;
import io.cnm.daemon.gossip.Message.Ping;
import io.cnm.daemon.gossip.Message.PushPull;
import io.cnm.daemon.gossip.Message.Suspect;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * SWIM membership with memberlist's refinements (seed: "Docker Network Control Plane"). Every
 * probe interval one member, round robin, gets a direct ping; without an ack within the probe
 * timeout, {@code indirectChecks} others ping it on our behalf; without any ack by the end of
 * the interval it becomes suspect. A suspect has until its suspicion timeout to refute (by
 * raising its incarnation) before it is declared dead; Lifeguard shortens that timeout as
 * independent suspicions confirm it and lengthens our own timeouts while our local health is
 * poor (missed nacks, refutations). Changes spread by piggy-backing on probes and on gossip
 * packets to a few random members, each sent a limited number of times; a periodic push/pull of
 * the full state over a stream heals what packets missed, partitions included. Stale input
 * (an older incarnation) is ignored; accusations about this member are refuted.
 *
 * <p>All state lives on the {@link Scheduler}'s one thread.
 */
public final class Memberlist {
  private static final Logger LOG = Logger.getLogger(Memberlist.class);

  /** What rides on membership: the network-scoped tables. */
  public interface Delegate {
    /** A non-membership message arrived (network and table events). */
    void notify(Message m);

    /** This node's part of a push/pull, answering a peer that asked for the given networks (null: a join, all). */
    PushPull state(String self, List<MemberState> members, List<String> peerNetworks);

    /** Merges the user part of a peer's push/pull. */
    void merge(PushPull remote);

    /** A member became alive, or was declared dead or left. */
    void memberChanged(Member m);
  }

  private final String self;
  private final GossipConfig cfg;
  private final Transport transport;
  private final Keyring keyring;
  private final Scheduler scheduler;
  private final Random random;
  private final GossipStats stats = new GossipStats();
  private Delegate delegate;
  private final String selfAddr;
  private final Map<String, Rec> members = new HashMap<>();
  private final Map<String, Member> view = new ConcurrentHashMap<>();
  private final Map<Integer, Probe> probes = new HashMap<>();
  private final Broadcasts broadcasts;
  private final List<String> probeOrder = new ArrayList<>();
  private List<InetSocketAddress> seeds = List.of();
  private long incarnation;
  private int seq;
  private int probeIndex;
  private int health;
  private boolean leaving;
  /** Names no longer members of the cluster (their node was removed from it): declared dead here, and their word ignored. */
  private volatile Set<String> barred = Set.of();
  private boolean stopped;

  private static final class Rec {
    final String name;
    InetSocketAddress addr;
    long incarnation;
    State state;
    long since;
    Suspicion suspicion;

    Rec(String name, InetSocketAddress addr, long incarnation, State state, long since) {
      this.name = name;
      this.addr = addr;
      this.incarnation = incarnation;
      this.state = state;
      this.since = since;
    }
  }

  /** A running suspicion: who confirmed it, and the timer that declares the member dead. */
  private final class Suspicion {
    final long start;
    final long incarnation;
    final int k;
    final long min;
    final long max;
    final Set<String> confirmations = new HashSet<>();
    Scheduler.Cancellable timer;

    Suspicion(Rec r, String from, int n) {
      this.start = scheduler.now();
      this.incarnation = r.incarnation;
      int kk = cfg.suspicionMult() - 2;
      this.k = n - 2 < kk ? 0 : kk;
      this.min = Timers.suspicionTimeout(cfg.suspicionMult(), n, cfg.probeIntervalMillis());
      this.max = cfg.suspicionMaxTimeoutMult() * min;
      confirmations.add(from);
      arm(r);
    }

    void arm(Rec r) {
      if (timer != null) {
        timer.cancel();
      }
      long timeout = Timers.suspicionTimeout(confirmations.size() - 1, k, min, max);
      long remaining = Math.max(0, start + timeout - scheduler.now());
      timer = scheduler.schedule(remaining, () -> {
        if (r.state != State.SUSPECT || r.incarnation != incarnation) {
          return;
        }
        // A last call before the verdict, from every member holding the suspicion (accusers too:
        // skipping it for them saved the probe timeout but let more false positives through in
        // simulated loss): a live suspect answers this member directly, cancelling the timer below.
        send(r.addr, new Suspect(r.name, r.incarnation, self));
        timer = scheduler.schedule(cfg.probeTimeoutMillis(), () -> {
          if (r.state == State.SUSPECT && r.incarnation == incarnation) {
            declareDead(r);
          }
        });
      });
    }

    private void declareDead(Rec r) {
      stats.declaredDead.incrementAndGet();
      dead(new Dead(r.name, r.incarnation, self));
    }

    /** Whether we raised it or our failed probe was a counted confirmation: then we tell the suspect every gossip round. */
    boolean ours() {
      return confirmations.contains(self);
    }

    /** Counts an independent suspicion; true when it was new (and so worth passing on). */
    boolean confirm(Rec r, String from) {
      if (confirmations.size() - 1 < k && confirmations.add(from)) {
        arm(r);
        return true;
      }
      return false;
    }
  }

  /** An outstanding probe: what to do on an ack or a nack for its sequence number. */
  private record Probe(Runnable onAck, Runnable onNack) {}

  public Memberlist(String name, GossipConfig cfg, Transport transport, Keyring keyring, Scheduler scheduler, Random random) {
    this.self = name;
    this.cfg = cfg;
    this.transport = transport;
    this.keyring = keyring;
    this.scheduler = scheduler;
    this.random = random;
    InetSocketAddress a = transport.localAddress();
    this.selfAddr = a.getHostString() + ":" + a.getPort();
    this.broadcasts = new Broadcasts(() -> Timers.retransmitLimit(cfg.retransmitMult(), aliveCount()));
    view.put(self, new Member(self, a, 0, State.ALIVE, 0));
  }

  public String name() {
    return self;
  }

  public GossipStats stats() {
    return stats;
  }

  public Keyring keyring() {
    return keyring;
  }

  public GossipConfig config() {
    return cfg;
  }

  /** Starts probing, gossiping and syncing; {@code seeds} are where to (re)join from when alone. */
  public void start(Delegate delegate, List<InetSocketAddress> seeds) {
    this.delegate = delegate;
    this.seeds = List.copyOf(seeds);
    transport.receive(this::onPacket, this::onExchange);
    scheduler.execute(() -> {
      // Our local health stretches the probe interval, so it is asked anew every round.
      scheduler.repeat(() -> Timers.scaled(cfg.probeIntervalMillis(), health), () -> round(this::probe));
      scheduler.repeat(cfg::gossipIntervalMillis, () -> round(this::gossip));
      scheduler.repeat(cfg::pushPullIntervalMillis, () -> round(this::pushPullRound));
    });
  }

  /** Joins through the seeds by push/pull; completes with how many answered. */
  public CompletableFuture<Integer> join(List<InetSocketAddress> addresses) {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    scheduler.execute(() -> {
      List<CompletableFuture<Boolean>> all = new ArrayList<>();
      for (InetSocketAddress a : addresses) {
        if (!a.equals(transport.localAddress())) {
          all.add(pushPull(a, true, null));
        }
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .whenComplete((v, e) -> done.complete((int) all.stream().filter(f -> f.getNow(false)).count()));
    });
    return done;
  }

  /**
   * The names that are not members of the cluster any more (the nodes removed from it, as the
   * caller learns from the API): each still listed is declared dead (and the others told), and
   * whatever it says of itself from now on is ignored, so it loses its place for good. A name
   * left out again is admitted again.
   */
  public void bar(Set<String> names) {
    scheduler.execute(() -> {
      barred = Set.copyOf(names);
      for (String n : barred) {
        Rec r = members.get(n);
        if (r != null && !r.state.gone() && !n.equals(self)) {
          LOG.infof("%s: %s is no longer a node of the cluster: it leaves the gossip", self, n);
          dead(new Dead(n, r.incarnation, self));
        }
      }
    });
  }

  /** Leaves on purpose: tells the others (a dead message about itself) and stops. */
  public void leave() {
    scheduler.execute(() -> {
      leaving = true;
      incarnation++;
      broadcast(self, new Dead(self, incarnation, self));
      for (int i = 0; i < 3; i++) {
        gossip();
      }
      stopped = true;
    });
  }

  /** Stops all activity at once, as a crash would (tests). */
  public void halt() {
    scheduler.execute(() -> stopped = true);
  }

  /** A snapshot of the members, this one included. */
  public Map<String, Member> members() {
    return Map.copyOf(view);
  }

  /** Members that are alive or suspect (not this one). */
  List<Rec> live() {
    List<Rec> out = new ArrayList<>();
    for (Rec r : members.values()) {
      if (!r.state.gone()) {
        out.add(r);
      }
    }
    return out;
  }

  int aliveCount() {
    int n = 1;
    for (Rec r : members.values()) {
      n += r.state.gone() ? 0 : 1;
    }
    return n;
  }

  /** The address of a live member, for the tables' network-scoped gossip; null when not live. */
  InetSocketAddress addressOf(String name) {
    Rec r = members.get(name);
    return r == null || r.state.gone() ? null : r.addr;
  }

  boolean isLive(String name) {
    return name.equals(self) || addressOf(name) != null;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  Random random() {
    return random;
  }

  /** Queues a cluster-wide broadcast; {@code subject} invalidates older ones about the same thing. */
  void broadcast(String subject, Message m) {
    broadcasts.add(subject, Codec.body(m));
  }

  /** Sends encoded messages in one packet to a member, sealed. */
  void sendBodies(InetSocketAddress to, List<byte[]> bodies) {
    if (stopped || bodies.isEmpty()) {
      return;
    }
    byte[] packet = keyring.seal(Codec.compound(bodies));
    stats.packetsSent.incrementAndGet();
    stats.bytesSent.addAndGet(packet.length);
    transport.send(to, packet);
  }

  /** Sends one message with as many queued broadcasts piggy-backed as fit. */
  private void send(InetSocketAddress to, Message m) {
    send(to, List.of(m));
  }

  /** Sends messages in this order in one packet, with as many queued broadcasts piggy-backed as fit. */
  private void send(InetSocketAddress to, List<Message> ms) {
    List<byte[]> bodies = new ArrayList<>();
    int size = 3;
    for (Message m : ms) {
      byte[] body = Codec.body(m);
      bodies.add(body);
      size += body.length;
    }
    bodies.addAll(broadcasts.take(cfg.packetBudget() - size));
    sendBodies(to, bodies);
  }

  /** A reliable exchange of a push/pull with a peer (also the tables' network sync). */
  CompletableFuture<PushPull> exchange(InetSocketAddress to, PushPull request) {
    byte[] sealed = keyring.seal(Codec.encode(List.of(request)));
    return transport.exchange(to, sealed, 5_000).thenApply(answer -> {
      byte[] plain = keyring.open(answer);
      if (plain == null) {
        stats.rejected.incrementAndGet();
        throw new IllegalStateException("push/pull answer rejected by the keyring");
      }
      return (PushPull) Codec.decode(plain).get(0);
    });
  }

  // ---- receiving

  private void onPacket(InetSocketAddress from, byte[] sealed) {
    byte[] plain = keyring.open(sealed);
    if (plain == null) {
      stats.rejected.incrementAndGet();
      return;
    }
    List<Message> messages;
    try {
      messages = Codec.decode(plain);
    } catch (IllegalArgumentException e) {
      stats.rejected.incrementAndGet();
      return;
    }
    stats.packetsReceived.incrementAndGet();
    scheduler.execute(() -> {
      if (!stopped) {
        messages.forEach(this::handle);
      }
    });
  }

  private CompletableFuture<byte[]> onExchange(byte[] sealed) {
    byte[] plain = keyring.open(sealed);
    if (plain == null) {
      stats.rejected.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }
    PushPull p;
    try {
      p = (PushPull) Codec.decode(plain).get(0);
    } catch (RuntimeException e) {
      stats.rejected.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }
    // The answer is built on the gossip thread, after merging, so it reflects one consistent state.
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    scheduler.execute(() -> {
      if (stopped) {
        answer.complete(null);
        return;
      }
      stats.pushPulls.incrementAndGet();
      merge(p);
      PushPull mine = delegate.state(self, p.members().isEmpty() ? List.of() : memberStates(), p.join() ? null : p.networks());
      answer.complete(keyring.seal(Codec.encode(List.of(mine))));
    });
    return answer;
  }

  private void handle(Message m) {
    if (m instanceof Ping p) {
      if (p.target().equals(self)) {
        send(parse(p.fromAddr()), new Ack(p.seq(), self));
      }
    } else if (m instanceof IndirectPing p) {
      indirect(p);
    } else if (m instanceof Ack a) {
      Probe pr = probes.remove(a.seq());
      if (pr != null) {
        pr.onAck().run();
      }
    } else if (m instanceof Nack n) {
      Probe pr = probes.get(n.seq());
      if (pr != null && pr.onNack() != null) {
        pr.onNack().run();
      }
    } else if (m instanceof Alive a) {
      alive(a);
    } else if (m instanceof Suspect s) {
      suspect(s);
    } else if (m instanceof Dead d) {
      dead(d);
    } else {
      delegate.notify(m);
    }
  }

  /** Probes {@code target} for a member that could not reach it, relaying the ack, or a nack when it does not come. */
  private void indirect(IndirectPing p) {
    int s = ++seq;
    InetSocketAddress requester = parse(p.fromAddr());
    boolean[] acked = {false};
    probes.put(s, new Probe(() -> {
      acked[0] = true;
      send(requester, new Ack(p.seq(), self));
    }, null));
    send(parse(p.targetAddr()), new Ping(s, p.target(), self, selfAddr));
    scheduler.schedule(cfg.probeTimeoutMillis(), () -> {
      probes.remove(s);
      if (!acked[0] && p.wantNack()) {
        send(requester, new Nack(p.seq(), self));
      }
    });
  }

  // ---- state handlers (memberlist's aliveNode, suspectNode, deadNode)

  void alive(Alive a) {
    if (a.name().equals(self)) {
      if (a.incarnation() > incarnation && !leaving) {
        refute(a.incarnation(), null);
      }
      return;
    }
    if (barred.contains(a.name())) {
      stats.rejected.incrementAndGet(); // a removed node refuting its death: not taken
      return;
    }
    Rec r = members.get(a.name());
    InetSocketAddress addr = parse(a.addr());
    if (r == null) {
      r = new Rec(a.name(), addr, a.incarnation(), State.ALIVE, scheduler.now());
      members.put(a.name(), r);
      probeOrder.add(random.nextInt(probeOrder.size() + 1), a.name());
      broadcast(a.name(), a);
      publish(r);
      return;
    }
    if (a.incarnation() <= r.incarnation) {
      return; // stale, or a refutation is needed to clear a suspicion
    }
    boolean wasGone = r.state.gone();
    boolean changed = wasGone || r.state != State.ALIVE;
    r.incarnation = a.incarnation();
    r.addr = addr;
    cancelSuspicion(r);
    r.state = State.ALIVE;
    r.since = scheduler.now();
    broadcast(a.name(), a);
    publish(r);
    if (changed) {
      LOG.debugf("%s: %s is alive again (incarnation %d)", self, a.name(), a.incarnation());
    }
  }

  void suspect(Suspect s) {
    if (s.name().equals(self)) {
      if (!leaving) {
        refute(s.incarnation(), s.from());
      }
      return;
    }
    Rec r = members.get(s.name());
    if (r == null || s.incarnation() < r.incarnation || r.state.gone()) {
      return;
    }
    if (r.state == State.SUSPECT) {
      // Lifeguard: an independent suspicion shortens the timeout, and is passed on so the others count it too.
      if (r.suspicion != null && s.incarnation() == r.incarnation && r.suspicion.confirm(r, s.from())) {
        broadcast(s.name(), s);
      }
      return;
    }
    r.incarnation = s.incarnation();
    r.state = State.SUSPECT;
    r.since = scheduler.now();
    stats.suspicions.incrementAndGet();
    broadcast(s.name(), s);
    r.suspicion = new Suspicion(r, s.from(), aliveCount());
    publish(r);
  }

  void dead(Dead d) {
    if (d.name().equals(self)) {
      if (!leaving) {
        refute(d.incarnation(), d.from());
      }
      return;
    }
    Rec r = members.get(d.name());
    if (r == null || d.incarnation() < r.incarnation || r.state.gone()) {
      return;
    }
    r.incarnation = d.incarnation();
    cancelSuspicion(r);
    r.state = d.from().equals(d.name()) ? State.LEFT : State.DEAD;
    r.since = scheduler.now();
    broadcast(d.name(), d);
    publish(r);
    LOG.debugf("%s: %s is %s", self, d.name(), r.state);
  }

  /**
   * Someone thinks this member is suspect or dead: raise the incarnation past theirs and say so to
   * everyone, and to the accuser directly (a broadcast is sent only a few times, and loss can eat
   * them all). An accusation below our incarnation was already refuted: the accuser missed it, and
   * hears it again.
   */
  private void refute(long accused, String accuser) {
    if (accused >= incarnation) {
      incarnation = accused + 1;
      stats.refutations.incrementAndGet();
      health = Math.min(cfg.awarenessMax() - 1, health + 1);
      view.put(self, new Member(self, transport.localAddress(), incarnation, State.ALIVE, scheduler.now()));
    }
    broadcast(self, new Alive(self, selfAddr, incarnation)); // again for a stale accusation: others may have missed it too
    Rec to = accuser == null ? null : members.get(accuser);
    if (to != null) {
      send(to.addr, new Alive(self, selfAddr, incarnation));
    }
  }

  private void cancelSuspicion(Rec r) {
    if (r.suspicion != null) {
      r.suspicion.timer.cancel();
      r.suspicion = null;
    }
  }

  private void publish(Rec r) {
    Member m = new Member(r.name, r.addr, r.incarnation, r.state, r.since);
    Member before = view.put(r.name, m);
    boolean wasLive = before != null && !before.state().gone();
    if (before == null || wasLive == r.state.gone()) {
      delegate.memberChanged(m);
    }
  }

  // ---- probing

  /** One round of a periodic task, unless stopped; false ends the repetition. */
  private boolean round(Runnable task) {
    if (stopped) {
      return false;
    }
    task.run();
    return true;
  }

  private Rec nextTarget() {
    for (int i = 0; i < probeOrder.size(); i++) {
      if (probeIndex >= probeOrder.size()) {
        probeIndex = 0;
        Collections.shuffle(probeOrder, random);
      }
      Rec r = members.get(probeOrder.get(probeIndex++));
      if (r != null && !r.state.gone()) {
        return r;
      }
    }
    return null;
  }

  private void probe() {
    Rec target = nextTarget();
    if (target == null) {
      return;
    }
    int s = ++seq;
    boolean[] acked = {false};
    int[] nacks = {0};
    int[] expectedNacks = {0};
    probes.put(s, new Probe(() -> acked[0] = true, () -> nacks[0]++));
    Ping ping = new Ping(s, target.name, self, selfAddr);
    if (target.state == State.SUSPECT) {
      // Lifeguard's buddy system: the suspicion goes first, so the refutation can ride on the ack.
      send(target.addr, List.of(new Suspect(target.name, target.incarnation, self), ping));
    } else {
      send(target.addr, ping);
    }
    long interval = Timers.scaled(cfg.probeIntervalMillis(), health);
    scheduler.schedule(Timers.scaled(cfg.probeTimeoutMillis(), health), () -> {
      if (acked[0] || stopped) {
        return;
      }
      List<Rec> helpers = live();
      helpers.removeIf(r -> r.name.equals(target.name) || r.state != State.ALIVE);
      Collections.shuffle(helpers, random);
      for (Rec h : helpers.subList(0, Math.min(cfg.indirectChecks(), helpers.size()))) {
        expectedNacks[0]++;
        send(h.addr, new IndirectPing(s, target.name, target.addr.getHostString() + ":" + target.addr.getPort(), self, selfAddr, true));
      }
    });
    scheduler.schedule(interval, () -> {
      probes.remove(s);
      if (stopped) {
        return;
      }
      if (acked[0]) {
        health = Math.max(0, health - 1);
        return;
      }
      // Lifeguard: nacks that did not come mean our own links may be the problem: be slower to accuse.
      health = Math.min(cfg.awarenessMax() - 1, health + 1 + Math.max(0, expectedNacks[0] - nacks[0]) / 2);
      if (!target.state.gone()) {
        suspect(new Suspect(target.name, target.incarnation, self)); // a new suspicion, or our confirmation of one
      }
    });
  }

  // ---- gossip and push/pull

  private void gossip() {
    tellSuspects();
    if (broadcasts.size() == 0) {
      return;
    }
    List<Rec> targets = new ArrayList<>();
    long now = scheduler.now();
    for (Rec r : members.values()) {
      if (!r.state.gone() || now - r.since < cfg.gossipToTheDeadMillis()) {
        targets.add(r);
      }
    }
    Collections.shuffle(targets, random);
    for (Rec r : targets.subList(0, Math.min(cfg.gossipNodes(), targets.size()))) {
      List<byte[]> bodies = broadcasts.take(cfg.packetBudget() - 3);
      if (bodies.isEmpty()) {
        return;
      }
      sendBodies(r.addr, bodies);
    }
  }

  /**
   * The suspects our own probes failed on hear of it every round, not only from the few sends of
   * the broadcast: a live member that never hears cannot refute, and is declared dead. Only the
   * accusers send (at most k + 1 members per suspicion), so a suspect is not flooded.
   */
  private void tellSuspects() {
    for (Rec r : members.values()) {
      if (r.state == State.SUSPECT && r.suspicion != null && r.suspicion.ours()) {
        send(r.addr, new Suspect(r.name, r.incarnation, self));
      }
    }
  }

  /** A full sync with one random live member; a member that is alone tries its seeds again. */
  private void pushPullRound() {
    List<Rec> peers = live();
    if (peers.isEmpty()) {
      seeds.stream().filter(a -> !a.equals(transport.localAddress())).forEach(a -> pushPull(a, true, null));
    } else {
      pushPull(peers.get(random.nextInt(peers.size())).addr, false, null);
    }
  }

  /** A full-state exchange with one peer; completes true when it answered. */
  CompletableFuture<Boolean> pushPull(InetSocketAddress to, boolean join, List<String> networks) {
    PushPull mine = delegate.state(self, memberStates(), networks);
    if (join) {
      mine = new PushPull(self, true, mine.members(), mine.nodeNetworks(), mine.networks(), mine.entries());
    }
    stats.pushPulls.incrementAndGet();
    return exchange(to, mine).handle((answer, err) -> {
      if (err != null) {
        LOG.debugf("%s: push/pull with %s failed: %s", self, to, err.getMessage());
        return false;
      }
      scheduler.execute(() -> {
        if (!stopped) {
          merge(answer);
        }
      });
      return true;
    });
  }

  private List<MemberState> memberStates() {
    List<MemberState> out = new ArrayList<>();
    out.add(new MemberState(self, selfAddr, incarnation, State.ALIVE.ordinal()));
    for (Rec r : members.values()) {
      out.add(new MemberState(r.name, r.addr.getHostString() + ":" + r.addr.getPort(), r.incarnation, r.state.ordinal()));
    }
    return out;
  }

  /** Merges a peer's state: alive as alive, left as left, but dead only as suspect (a stale view must not kill). */
  private void merge(PushPull p) {
    for (MemberState s : p.members()) {
      State st = State.values()[s.state()];
      switch (st) {
        case ALIVE -> alive(new Alive(s.name(), s.addr(), s.incarnation()));
        case LEFT -> dead(new Dead(s.name(), s.incarnation(), s.name()));
        case SUSPECT, DEAD -> suspect(new Suspect(s.name(), s.incarnation(), p.from()));
      }
    }
    delegate.merge(p);
  }

  static InetSocketAddress parse(String hostPort) {
    int i = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, i), Integer.parseInt(hostPort.substring(i + 1)));
  }
}
