package io.cnm.plugin.ipam;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** Docker's remote IPAM driver protocol: the kind, its calls and their messages. */
public final class IpamDriverApi {
  private IpamDriverApi() {}

  public static final String KIND = "IpamDriver";
  /** RequestAddress option that asks for the pool's gateway (libnetwork asks for it first). */
  public static final String REQUEST_ADDRESS_TYPE = "RequestAddressType";
  public static final String GATEWAY = "com.docker.network.gateway";
  /** RequestAddress option carrying the endpoint's MAC, for drivers that say RequiresMACAddress. */
  public static final String MAC_ADDRESS = "com.docker.network.endpoint.macaddress";

  public record Capabilities(@JsonProperty("RequiresMACAddress") boolean requiresMacAddress,
      @JsonProperty("RequiresRequestReplay") boolean requiresRequestReplay) {}

  public record AddressSpaces(@JsonProperty("LocalDefaultAddressSpace") String localDefault,
      @JsonProperty("GlobalDefaultAddressSpace") String globalDefault) {}

  public record RequestPool(@JsonProperty("AddressSpace") String addressSpace, @JsonProperty("Pool") String pool,
      @JsonProperty("SubPool") String subPool, @JsonProperty("Options") Map<String, String> options, @JsonProperty("V6") boolean v6) {}

  public record PoolAnswer(@JsonProperty("PoolID") String poolId, @JsonProperty("Pool") String pool,
      @JsonProperty("Data") Map<String, String> data) {}

  public record ReleasePool(@JsonProperty("PoolID") String poolId) {}

  public record RequestAddress(@JsonProperty("PoolID") String poolId, @JsonProperty("Address") String address,
      @JsonProperty("Options") Map<String, String> options) {}

  /** Address in CIDR form (10.0.0.2/24). */
  public record AddressAnswer(@JsonProperty("Address") String address, @JsonProperty("Data") Map<String, String> data) {}

  public record ReleaseAddress(@JsonProperty("PoolID") String poolId, @JsonProperty("Address") String address) {}
}
