/** Global-scope remote network drivers as the operator calls them: AllocateNetwork and FreeNetwork. */
package io.cnm.operator.network.remote;
