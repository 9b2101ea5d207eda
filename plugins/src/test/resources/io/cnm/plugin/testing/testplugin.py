#!/usr/bin/env python3
"""A Docker plugin for cnm's tests, strict about Docker's protocol.

--kind network: a NetworkDriver that makes, per network, a bridge with the gateway address, and
per endpoint a veth pair whose node end it enslaves to that bridge; the other end (SrcName) is
what Join hands to the caller, who must move it into the sandbox and give it back on Leave.
--kind ipam: an IpamDriver with address spaces "cnmtest-local" / "cnmtest-global" that hands
out pools from 10.210.0.0/16 in /24s, or the pool asked for, and addresses from them.

Every request is appended to --log as one JSON line {"call": ..., "request": ...}; the state is
kept in --state, so a plugin killed and started again remembers what it handed out, as real
plugins do. Errors follow the protocol: {"Err": ...} (network), {"Error": ...} (ipam).
--hang accepts connections and never answers. --fail Method=message makes Method fail.
"""
import argparse, http.server, ipaddress, json, os, socketserver, subprocess, sys, threading, time

p = argparse.ArgumentParser()
p.add_argument("--kind", choices=["network", "ipam"], required=True)
p.add_argument("--socket")
p.add_argument("--tcp", type=int)
p.add_argument("--log", required=True)
p.add_argument("--state", required=True)
p.add_argument("--hang", action="store_true")
p.add_argument("--fail", action="append", default=[])
p.add_argument("--scope", default="local")
p.add_argument("--requires-mac", action="store_true")
p.add_argument("--no-gateway", action="store_true", help="Join answers no Gateway and leaves the gateway service on")
args = p.parse_args()
FAIL = dict(f.split("=", 1) for f in args.fail)
LOCK = threading.Lock()
ACTIVATED = [False]
SPACES = {"cnmtest-local", "cnmtest-global"}


def load():
    try:
        with open(args.state) as f:
            return json.load(f)
    except FileNotFoundError:
        return {"networks": {}, "endpoints": {}, "pools": {}, "next": 0}


STATE = load()


def save():
    tmp = args.state + ".tmp"
    with open(tmp, "w") as f:
        json.dump(STATE, f)
    os.replace(tmp, args.state)


def ip(*a, check=True):
    r = subprocess.run(["ip", *a], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise Problem("ip %s: %s" % (" ".join(a), r.stderr.strip()))
    return r


def link_exists(name):
    return ip("link", "show", "dev", name, check=False).returncode == 0


class Problem(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise Problem(msg)


# ---- NetworkDriver -------------------------------------------------------------------------
def net_call(m, r):
    nets, eps = STATE["networks"], STATE["endpoints"]
    if m == "GetCapabilities":
        return {"Scope": args.scope, "ConnectivityScope": args.scope}
    if m == "CreateNetwork":
        nid = r["NetworkID"]
        need(nid not in nets, "network %s exists" % nid)
        need(isinstance(r.get("Options"), dict), "CreateNetwork without Options")
        v4 = r.get("IPv4Data") or []
        need(len(v4) >= 1 and v4[0].get("Pool"), "CreateNetwork without IPv4Data")
        br = "rb" + nid[:10]
        ip("link", "add", br, "type", "bridge")
        if v4[0].get("Gateway"):
            ip("addr", "add", v4[0]["Gateway"], "dev", br)
        ip("link", "set", br, "up")
        nets[nid] = {"bridge": br, "gateway": v4[0].get("Gateway", ""), "generic": r["Options"].get("com.docker.network.generic")}
        return {}
    if m == "DeleteNetwork":
        nid = r["NetworkID"]
        need(nid in nets, "network %s not found" % nid)
        left = [e for e, v in eps.items() if v["network"] == nid]
        need(not left, "network %s has active endpoints %s" % (nid, left))
        ip("link", "del", nets[nid]["bridge"], check=False)
        del nets[nid]
        return {}
    if m == "CreateEndpoint":
        nid, eid = r["NetworkID"], r["EndpointID"]
        need(nid in nets, "network %s not found" % nid)
        need(eid not in eps, "endpoint %s exists" % eid)
        iface = r.get("Interface") or {}
        need(iface.get("Address"), "CreateEndpoint without Interface.Address")
        ipaddress.ip_interface(iface["Address"])
        host, src = "rp" + eid[:10], "rc" + eid[:10]
        ip("link", "add", host, "type", "veth", "peer", "name", src)
        ip("link", "set", host, "master", nets[nid]["bridge"], "up")
        eps[eid] = {"network": nid, "host": host, "src": src, "joined": False, "address": iface["Address"]}
        if not iface.get("MacAddress"):
            mac = "02:42:cc:%02x:%02x:%02x" % tuple(bytes.fromhex(eid[:6]))
            ip("link", "set", src, "address", mac)
            return {"Interface": {"MacAddress": mac}}
        return {"Interface": None}
    if m == "EndpointOperInfo":
        e = eps.get(r["EndpointID"])
        need(e is not None, "endpoint %s not found" % r["EndpointID"])
        return {"Value": {"hostInterface": e["host"], "joined": e["joined"]}}
    if m == "Join":
        e = eps.get(r["EndpointID"])
        need(e is not None and e["network"] == r["NetworkID"], "endpoint %s not found" % r["EndpointID"])
        need(not e["joined"], "endpoint %s is joined already" % r["EndpointID"])
        need(r.get("SandboxKey"), "Join without SandboxKey")
        need(link_exists(e["src"]), "interface %s is not here to hand over" % e["src"])
        e["joined"] = True
        gw = nets[e["network"]]["gateway"].split("/")[0]
        if args.no_gateway:
            return {"InterfaceName": {"SrcName": e["src"], "DstPrefix": "rmt"}, "DisableGatewayService": False}
        return {"InterfaceName": {"SrcName": e["src"], "DstPrefix": "rmt"}, "Gateway": gw,
                "StaticRoutes": [{"Destination": "203.0.113.0/24", "RouteType": 0, "NextHop": gw}],
                "DisableGatewayService": True}
    if m == "Leave":
        e = eps.get(r["EndpointID"])
        need(e is not None, "endpoint %s not found" % r["EndpointID"])
        need(e["joined"], "endpoint %s is not joined" % r["EndpointID"])
        e["joined"] = False
        return {}
    if m == "DeleteEndpoint":
        e = eps.get(r["EndpointID"])
        need(e is not None, "endpoint %s not found" % r["EndpointID"])
        need(not e["joined"], "endpoint %s is still joined" % r["EndpointID"])
        # libnetwork gives the interface back on Leave: it must be here again (unless its pair went with a sandbox).
        need(not link_exists(e["host"]) or link_exists(e["src"]), "interface %s was not given back" % e["src"])
        ip("link", "del", e["host"], check=False)
        del eps[r["EndpointID"]]
        return {}
    if m in ("ProgramExternalConnectivity", "RevokeExternalConnectivity"):
        need(r.get("EndpointID") in eps, "endpoint %s not found" % r.get("EndpointID"))
        return {}
    if m in ("DiscoverNew", "DiscoverDelete"):
        need(r.get("DiscoveryType") == 1, "unknown DiscoveryType %s" % r.get("DiscoveryType"))
        need((r.get("DiscoveryData") or {}).get("Address"), "discovery without an Address")
        return {}
    if m == "AllocateNetwork":
        need(args.scope == "global", "AllocateNetwork to a local-scope driver")
        return {"Options": {"testplugin.vlan": "101"}}
    if m == "FreeNetwork":
        return {}
    raise Problem("unknown call NetworkDriver.%s" % m)


# ---- IpamDriver ----------------------------------------------------------------------------
def ipam_call(m, r):
    pools = STATE["pools"]
    if m == "GetCapabilities":
        return {"RequiresMACAddress": args.requires_mac, "RequiresRequestReplay": False}
    if m == "GetDefaultAddressSpaces":
        return {"LocalDefaultAddressSpace": "cnmtest-local", "GlobalDefaultAddressSpace": "cnmtest-global"}
    if m == "RequestPool":
        need(r.get("AddressSpace") in SPACES, "unknown address space %r" % r.get("AddressSpace"))
        need(not r.get("V6"), "IPv6 pools are not offered")
        taken = [ipaddress.ip_network(v["pool"]) for v in pools.values()]
        if r.get("Pool"):
            net = ipaddress.ip_network(r["Pool"])
            need(not any(net.overlaps(t) for t in taken), "pool %s overlaps one in use" % net)
        else:
            net = next(n for n in ipaddress.ip_network("10.210.0.0/16").subnets(new_prefix=24) if not any(n.overlaps(t) for t in taken))
        STATE["next"] += 1
        pid = "%s/%s" % (r["AddressSpace"], net)
        pools[pid] = {"pool": str(net), "addresses": []}
        return {"PoolID": pid, "Pool": str(net), "Data": {}}
    if m == "ReleasePool":
        pool = pools.get(r.get("PoolID"))
        need(pool is not None, "pool %r not found" % r.get("PoolID"))
        need(not pool["addresses"], "pool %s still has addresses %s" % (r["PoolID"], pool["addresses"]))
        del pools[r["PoolID"]]
        return {}
    if m == "RequestAddress":
        pool = pools.get(r.get("PoolID"))
        need(pool is not None, "pool %r not found" % r.get("PoolID"))
        opts = r.get("Options") or {}
        gateway = opts.get("RequestAddressType") == "com.docker.network.gateway"
        need(gateway or not args.requires_mac or opts.get("com.docker.network.endpoint.macaddress"),
             "a MAC address is required (RequiresMACAddress)")
        net = ipaddress.ip_network(pool["pool"])
        if r.get("Address"):
            a = ipaddress.ip_address(r["Address"])
            need(a in net, "%s is not in pool %s" % (a, net))
            need(str(a) not in pool["addresses"], "%s is in use" % a)
        else:
            a = next((h for h in net.hosts() if str(h) not in pool["addresses"]), None)
            need(a is not None, "pool %s is exhausted" % net)
        pool["addresses"].append(str(a))
        return {"Address": "%s/%d" % (a, net.prefixlen), "Data": {}}
    if m == "ReleaseAddress":
        pool = pools.get(r.get("PoolID"))
        need(pool is not None, "pool %r not found" % r.get("PoolID"))
        a = str(ipaddress.ip_address(r.get("Address", "").split("/")[0]))
        need(a in pool["addresses"], "%s is not allocated in %s" % (a, r["PoolID"]))
        pool["addresses"].remove(a)
        return {}
    raise Problem("unknown call IpamDriver.%s" % m)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *a):
        pass

    def address_string(self):
        return "plugin-client"

    def do_POST(self):
        if args.hang:
            time.sleep(3600)
            return
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        call = self.path.lstrip("/")
        with LOCK:
            try:
                req = json.loads(raw) if raw.strip() else None
                with open(args.log, "a") as f:
                    f.write(json.dumps({"call": call, "request": req}) + "\n")
                if call == "Plugin.Activate":
                    ACTIVATED[0] = True
                    out = {"Implements": ["NetworkDriver" if args.kind == "network" else "IpamDriver"]}
                else:
                    kind, m = call.split(".", 1)
                    need(ACTIVATED[0], "%s before Plugin.Activate" % call)
                    need(kind == ("NetworkDriver" if args.kind == "network" else "IpamDriver"), "this plugin is not a %s" % kind)
                    need("application/vnd.docker.plugins" in (self.headers.get("Accept") or ""), "no Docker plugin Accept header")
                    if m in FAIL:
                        raise Problem(FAIL[m])
                    out = (net_call if args.kind == "network" else ipam_call)(m, req or {})
                    save()
                code = 200
            except Problem as e:
                out, code = {"Err" if args.kind == "network" else "Error": str(e)}, 200
            except Exception as e:  # a bug here or a malformed request: as Go's helpers do, a 500 with Err
                out, code = {"Err": "%s: %s" % (type(e).__name__, e)}, 500
        body = json.dumps(out).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/vnd.docker.plugins.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        req, _ = super().get_request()
        return req, ("local", 0)


class TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


if args.socket:
    if os.path.exists(args.socket):
        os.unlink(args.socket)
    os.makedirs(os.path.dirname(args.socket), exist_ok=True)
    server = UnixServer(args.socket, Handler)
else:
    server = TcpServer(("127.0.0.1", args.tcp), Handler)
print("ready", flush=True)
server.serve_forever()
