/** What the node-daemon checks before it starts its agent: the nft tool or library, privileges, kernel features. */
package io.cnm.daemon.preflight;
