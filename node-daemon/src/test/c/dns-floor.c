/*
 * The floor of a DNS server on this kernel, for bench-dns: it answers every A query it gets with
 * one fixed record (10.0.0.5, as the benchmark's other servers answer "web") and does nothing else,
 * no lookup, no names, no checks beyond what a well-formed answer needs. It reads up to 16 queries
 * in one recvmmsg and sends their answers in one sendmmsg, as the embedded DNS does on epoll. What
 * it spends per query is what the kernel's UDP receive and send cost a server here; no server can
 * spend less with these calls.
 *
 * Usage: dns-floor ADDRESS PORT (IPv4). Runs until killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 16
#define SIZE 512

/* The end of the question (after QTYPE and QCLASS), or -1 when the packet holds none. */
static int question_end(const unsigned char *p, int len) {
  int i = 12;
  while (i < len && p[i] != 0) {
    if (p[i] & 0xC0) {
      return -1; /* a query's name is never compressed */
    }
    i += p[i] + 1;
  }
  i += 1 + 4;
  return i <= len ? i : -1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s ADDRESS PORT\n", argv[0]);
    return 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
  if (fd < 0 || inet_pton(AF_INET, argv[1], &at.sin_addr) != 1 || bind(fd, (struct sockaddr *)&at, sizeof at) != 0) {
    perror("dns-floor: bind");
    return 1;
  }
  static unsigned char buf[BATCH][SIZE];
  static struct sockaddr_in from[BATCH];
  static struct iovec in_iov[BATCH], out_iov[BATCH];
  static struct mmsghdr in[BATCH], out[BATCH];
  static const unsigned char answer[] = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 2, 0x58, 0, 4, 10, 0, 0, 5};
  for (;;) {
    for (int k = 0; k < BATCH; k++) {
      in_iov[k] = (struct iovec){buf[k], SIZE};
      in[k].msg_hdr = (struct msghdr){.msg_name = &from[k], .msg_namelen = sizeof from[k], .msg_iov = &in_iov[k], .msg_iovlen = 1};
    }
    int n = recvmmsg(fd, in, BATCH, MSG_WAITFORONE, NULL);
    if (n < 0) {
      perror("dns-floor: recvmmsg");
      return 1;
    }
    int m = 0;
    for (int k = 0; k < n; k++) {
      unsigned char *p = buf[k];
      int end = question_end(p, (int)in[k].msg_len);
      if (end < 0 || end + (int)sizeof answer > SIZE) {
        continue;
      }
      p[2] = 0x84 | (p[2] & 0x01); /* QR, AA, the query's RD */
      p[3] = 0x80;                 /* RA, NOERROR */
      p[4] = 0, p[5] = 1, p[6] = 0, p[7] = 1, p[8] = p[9] = p[10] = p[11] = 0;
      memcpy(p + end, answer, sizeof answer);
      out_iov[m] = (struct iovec){p, (size_t)end + sizeof answer};
      out[m].msg_hdr = (struct msghdr){.msg_name = &from[k], .msg_namelen = in[k].msg_hdr.msg_namelen, .msg_iov = &out_iov[m], .msg_iovlen = 1};
      m++;
    }
    for (int sent = 0; sent < m;) {
      int s = sendmmsg(fd, out + sent, (unsigned)(m - sent), 0);
      if (s < 0) {
        perror("dns-floor: sendmmsg");
        break; /* these answers are lost, as a full socket buffer would lose them */
      }
      sent += s;
    }
  }
}
