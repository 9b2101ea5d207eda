/**
 * The node-daemon's requests to the API server that do not go through the Fabric8 client's
 * asynchronous machinery: one status write per endpoint, on the path a user waits for.
 */
package io.cnm.daemon.kube;
