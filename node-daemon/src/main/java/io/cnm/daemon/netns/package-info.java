/** Network namespaces: open by path, and run work inside one with setns(2) on a dedicated thread. */
package io.cnm.daemon.netns;
