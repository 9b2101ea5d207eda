package io.cnm.daemon.netlink;

/** An IPv4 policy rule: packets carrying {@code fwmark} are routed by table {@code table}; {@code priority} orders the rules. */
public record MarkRule(int fwmark, int table, int priority) {}
