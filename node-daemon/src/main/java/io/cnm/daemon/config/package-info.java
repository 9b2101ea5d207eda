/** The node-daemon's settings: system properties, environment variables and application.properties, by MicroProfile Config's names. */
package io.cnm.daemon.config;
