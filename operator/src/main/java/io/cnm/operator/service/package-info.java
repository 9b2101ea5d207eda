/** The CnmService reconciler: VIPs per network and backend counts. */
package io.cnm.operator.service;
