/**
 * The node-daemon's side of the API server beyond the Fabric8 client's defaults: the kinds its
 * client reads, registered by name instead of found by a scan of the class path
 * ({@link io.cnm.daemon.kube.DaemonKinds}); and its status write, one per endpoint on the path a
 * user waits for, made without the client's asynchronous machinery
 * ({@link io.cnm.daemon.kube.DirectStatusPut}).
 */
package io.cnm.daemon.kube;
