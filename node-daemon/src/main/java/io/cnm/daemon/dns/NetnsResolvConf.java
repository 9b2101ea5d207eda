package io.cnm.daemon.dns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The resolv.conf of a named network namespace (/etc/netns/NAME/resolv.conf, which
 * {@code ip netns exec} mounts over /etc/resolv.conf), pointed at the embedded DNS while the
 * sandbox has endpoints, and put back as it was when the last one leaves: a file that was there
 * is restored, one we created is removed with its directory. Pod sandboxes have no such file.
 */
public final class NetnsResolvConf {
  static final String MARK = "# written by cnm-node-daemon: the embedded DNS of this sandbox\n";
  static final String SAVED = "resolv.conf.cnm-saved";

  private final Path etcNetns;

  /** @param etcNetns /etc/netns, or a directory of a test's own */
  public NetnsResolvConf(Path etcNetns) {
    this.etcNetns = etcNetns;
  }

  /** The directory for a named netns path (/run/netns/NAME or /var/run/netns/NAME), empty for any other sandbox. */
  Optional<Path> dirOf(String netnsPath) {
    Path p = Path.of(netnsPath);
    Path parent = p.getParent();
    if (parent == null || !(parent.toString().equals("/run/netns") || parent.toString().equals("/var/run/netns"))) {
      return Optional.empty();
    }
    return Optional.of(etcNetns.resolve(p.getFileName().toString()));
  }

  /** Points the sandbox at the embedded DNS, keeping aside a resolv.conf that someone else wrote. */
  public void install(String netnsPath) throws IOException {
    Optional<Path> dir = dirOf(netnsPath);
    if (dir.isEmpty()) {
      return;
    }
    Files.createDirectories(dir.get());
    Path conf = dir.get().resolve("resolv.conf");
    if (Files.exists(conf) && !Files.readString(conf).startsWith(MARK) && !Files.exists(dir.get().resolve(SAVED))) {
      Files.move(conf, dir.get().resolve(SAVED), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.writeString(conf, MARK + "nameserver " + DnsServer.ADDRESS + "\noptions ndots:0\n");
  }

  /** Puts back what was there before {@link #install}; touches nothing it did not write. */
  public void restore(String netnsPath) throws IOException {
    Optional<Path> dir = dirOf(netnsPath);
    if (dir.isEmpty()) {
      return;
    }
    Path conf = dir.get().resolve("resolv.conf");
    if (!Files.exists(conf) || !Files.readString(conf).startsWith(MARK)) {
      return;
    }
    Path saved = dir.get().resolve(SAVED);
    if (Files.exists(saved)) {
      Files.move(saved, conf, StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    Files.delete(conf);
    try (var left = Files.list(dir.get())) {
      if (left.findAny().isEmpty()) {
        Files.delete(dir.get());
      }
    }
  }
}
