/**
 * Internal load balancing (seed: "Docker Native Load Balancing"): a service's VIP translated to
 * one of its backends inside the client's own sandbox, as Docker puts IPVS there, so the backend
 * sees the client's address. Made of nftables data maps, one table per sandbox, changed element
 * by element. {@link io.cnm.daemon.lb.Balancer} is the desired state, {@link
 * io.cnm.daemon.lb.BalancerRuleset} renders it whole or as a difference.
 */
package io.cnm.daemon.lb;
