/**
 * The operator's Prometheus metrics (served at /q/metrics): reconciles by kind and outcome, and
 * the IPAM's state read when scraped. Names and labels are listed in src-docs/metrics.md.
 */
package io.cnm.operator.metrics;
