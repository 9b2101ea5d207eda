/**
 * The node-daemon's Prometheus metrics (served at /q/metrics): what a pass, an attach, the node
 * table and the embedded DNS cost and how they end. Names and labels are listed in
 * src-docs/metrics.md; the meters are made here, in one place, so the names cannot drift.
 */
package io.cnm.daemon.metrics;
