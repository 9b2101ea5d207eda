/** The CnmNetwork reconciler and its status aggregator. */
package io.cnm.operator.network;
