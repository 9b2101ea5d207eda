/**
 * The embedded DNS (Docker's 127.0.0.11): a Netty codec pipeline, one thin handler, and a pure
 * {@link io.cnm.daemon.dns.Answerer} over an immutable {@link io.cnm.daemon.dns.DnsRecords}
 * snapshot; unknown names are forwarded to the node's resolvers.
 */
package io.cnm.daemon.dns;
