/**
 * Docker's remote IPAM drivers (the seed's "Docker Remote IPAM Drivers"), called by the operator:
 * the plugin is found by name as Docker finds it, in directories the operator can reach (a
 * sidecar sharing the socket directory, or a spec file pointing at {@code tcp://}).
 */
package io.cnm.operator.ipam.remote;
