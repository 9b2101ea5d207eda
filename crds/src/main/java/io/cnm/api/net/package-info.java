/**
 * IP addresses and CIDR prefixes, parsed as strictly as Kubernetes' CEL {@code ip()} and
 * {@code cidr()} functions do (no leading zeros, no zones, no IPv4-mapped IPv6), so that the
 * Java validator and the CRD's CEL rules agree on what is valid. Pure, immutable, no I/O.
 */
package io.cnm.api.net;
