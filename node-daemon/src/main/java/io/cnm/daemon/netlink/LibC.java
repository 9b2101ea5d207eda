package io.cnm.daemon.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The few libc calls the kernel layer needs. JNA lives only in this package, io.cnm.daemon.netns,
 * io.cnm.daemon.tun and (libnftables) io.cnm.daemon.nft; {@link EspInUdpSocket} is the kernel ESP path's socket.
 */
public interface LibC extends Library {
  LibC INSTANCE = Native.load("c", LibC.class);

  int AF_NETLINK = 16;
  int SOCK_RAW = 3;
  int SOCK_CLOEXEC = 0x80000;
  int NETLINK_ROUTE = 0;
  int NETLINK_NETFILTER = 12;
  int O_RDONLY = 0;
  int O_CLOEXEC = 0x80000;
  int CLONE_NEWNET = 0x40000000;
  int SOL_SOCKET = 1;
  int SO_RCVBUF = 8;

  int socket(int domain, int type, int protocol) throws LastErrorException;

  long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;

  /** Receives into native memory: a byte[] would be copied whole in and out by JNA on every call. */
  long recv(int fd, com.sun.jna.Pointer buf, long len, int flags) throws LastErrorException;

  int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  int open(String path, int flags) throws LastErrorException;

  int setns(int fd, int nstype) throws LastErrorException;

  int bind(int fd, byte[] sockaddr, int len) throws LastErrorException;
}
