package io.cnm.daemon.encryption;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import org.jboss.logging.Logger;

/**
 * A daemon's ESP session: a 16-bit number that differs at each start on the node, so a
 * restarted sender never derives a key it used before and starts its sequence numbers again
 * (AES-GCM must not see a nonce twice under one key). Kept as a counter in the state directory;
 * where it cannot be kept, a random one (a 1 in 65,536 chance to meet the last).
 */
public final class EspSessions {
  private static final Logger LOG = Logger.getLogger(EspSessions.class);

  private EspSessions() {}

  /** The session for this start: the stored one plus one, stored again before it is used. */
  public static int next(Path file) {
    int session;
    try {
      int last = Files.exists(file) ? Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).trim()) : new SecureRandom().nextInt(1 << 16);
      session = (last + 1) & 0xFFFF;
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, Integer.toString(session), StandardCharsets.US_ASCII);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      return session;
    } catch (IOException | NumberFormatException e) {
      session = new SecureRandom().nextInt(1 << 16);
      LOG.warnf("cannot keep the ESP session in %s (%s): a random session (%d) this time", file, e.getMessage(), session);
      return session;
    }
  }
}
