/** The gossip keyring Secret shared by the operator and the node-daemons. */
package io.cnm.api.gossip;
