/**
 * The operator's informer caches kept small: slim copies of what a controller reads, and the
 * strings many cached objects repeat (namespaces, labels, nodes, owners) shared.
 */
package io.cnm.operator.cache;
