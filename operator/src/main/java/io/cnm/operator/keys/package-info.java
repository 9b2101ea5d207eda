/** The gossip keyring: created and rotated by the operator, read by the node-daemons. */
package io.cnm.operator.keys;
