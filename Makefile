# cnm-operator. Every target works on a fresh Debian machine as root: demo and test install what they miss
# (scripts/prereqs.sh holds the one list of packages).
MVN ?= ./mvnw -B -ntp
CHART := helm/cnm-operator
GENERATED := crds/target/classes/META-INF/fabric8

.PHONY: prereqs build test demo demo-down crds helm-lint e2e clean images demo-images kubectl-cnm bench-encryption bench-operator bench-attach bench-gossip bench-overlay bench-pass bench-services bench-e2e bench-dns bench-memory api-docs
LAB := java -jar e2e/target/cnm-lab.jar
# The node-daemon's JVM settings as the chart ships them (nodeDaemon.jvmOptions): benchmarks of daemon code run with them.
DAEMON_JVM_OPTIONS := $(shell sed -n '/^nodeDaemon:/,/^[a-z]/ s/^  jvmOptions: "\(.*\)"$$/\1/p' $(CHART)/values.yaml)

## prereqs: what make demo needs (scripts/prereqs.sh, the one list): installed when run as root, else one line naming it.
prereqs:
	@scripts/prereqs.sh demo

## demo: the README's main command: the seed's "Bridge Driver on a Single Host" and "Multi-Host with Overlay Driver" (Docker Pets) on cnm-lab, pages printed.
demo: prereqs build
	$(LAB) down >/dev/null 2>&1 || true
	$(LAB) demo

## demo-down: remove everything the demo made.
demo-down:
	$(LAB) down

## build: compile everything: the operator (a Quarkus app) and the node-daemon (a plain jar with its lib/), the CRDs and e2e/target/cnm-lab.jar.
build:
	$(MVN) install -DskipTests

## test: every test tier that runs here: unit, kernel (as root, in namespaces the tests create), API (mock server), chart; e2e skips without Docker.
test:
	@scripts/prereqs.sh test
	$(MVN) install

## images: the operator and node-daemon images as reproducible OCI archives in build/images (mmdebstrap + umoci, Debian
## packages only; as root). Push with skopeo: see the README.
images: build
	scripts/images.sh

## demo-images: the demo with the operator and node-daemons running as those images, in podman (runc).
demo-images: prereqs images
	$(LAB) down >/dev/null 2>&1 || true
	$(LAB) demo --images

## kubectl-cnm: the kubectl plugin into build/bin (put it on PATH: kubectl cnm network ls). PREFIX=/usr/local installs it there.
PREFIX ?= $(CURDIR)/build
kubectl-cnm:
	$(MVN) -pl crds,cli -am install -DskipTests -q
	install -d $(PREFIX)/bin
	install -m 0755 cli/target/kubectl-cnm $(PREFIX)/bin/kubectl-cnm
	install -m 0644 cli/target/kubectl-cnm.jar $(PREFIX)/bin/kubectl-cnm.jar

## crds: regenerate the CRD YAML from the API classes and copy it into the Helm chart.
crds:
	$(MVN) -pl crds -am install -DskipTests
	for p in cnmnetworks cnmendpoints cnmservices; do cp $(GENERATED)/$$p.cnm.io-v1.yml $(CHART)/crds/$$p.cnm.io.yaml; done

## helm-lint: helm lint --strict and helm template of the chart, with checks of the rendered objects (no helm binary needed).
helm-lint:
	$(MVN) -pl helm -am install -Dtest='HelmChartTest' -Dsurefire.failIfNoSpecifiedTests=false

## e2e: the Kind tests (Testcontainers); they skip where no Docker engine is reachable.
e2e:
	$(MVN) -pl e2e -am install -Dtest='*E2E' -Dsurefire.failIfNoSpecifiedTests=false

clean:
	$(MVN) clean

## bench-operator: IPAM over a whole /16 (and a /20 against a scan-a-set baseline); 1,000 endpoints over 10 nodes and 5 networks to Ready against the mock API server, against the API's own floor.
bench-operator:
	$(MVN) -pl crds -am install -DskipTests -q
	$(MVN) -pl operator test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cnm.operator.bench.OperatorBench -q

## api-docs: regenerate src-docs/api.md from the CRDs.
api-docs:
	$(MVN) -pl crds -am install -DskipTests -q
	$(MVN) -pl crds test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cnm.api.crd.ApiReference -Dcnm.apiDocs=$(CURDIR)/src-docs/api.md -q

## bench-attach: attach latency of 200 endpoints, cnm against the CNI reference bridge + host-local plugins in the same run.
bench-attach:
	test -x /usr/lib/cni/bridge || (apt-get update -qq && apt-get install -y -qq containernetworking-plugins)
	$(MVN) -pl crds -am install -DskipTests -q
	$(MVN) -pl node-daemon test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cnm.daemon.bench.AttachBench -q

## bench-gossip: 10, 50 and 100 members over real UDP/TCP on loopback: entry spread p50/p99, failure detection, false positives under 10% loss, bytes per member; memberlist's default timers, then the fast profile; then the simulated network: false positives under 20% loss over 30 × 5 minutes, and detection.
bench-gossip:
	$(MVN) -pl crds -am install -DskipTests -q
	$(MVN) -pl node-daemon test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cnm.daemon.bench.GossipBench -Dexec.args="10,50,100 default" -q
	$(MVN) -pl node-daemon exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cnm.daemon.bench.GossipBench -Dexec.args="10,50,100 fast" -q
	$(MVN) -pl node-daemon exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cnm.daemon.gossip.LossSimBench -q

## bench-pass: the node-daemon's passes with 500 endpoints on the node: the one that adds an endpoint, a re-sync round (its whole length and its longest pass), one with nothing to do.
bench-pass:
	$(MVN) -pl crds -am install -DskipTests -q
	$(MVN) -pl node-daemon test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cnm.daemon.bench.PassBench -q

## bench-overlay: iperf3 and ping between two sandboxes on two nodes through the overlay driver's VXLAN path vs the same path built by hand, same run.
bench-overlay:
	command -v iperf3 >/dev/null || (apt-get update -qq && apt-get install -y -qq iperf3 iputils-ping)
	$(MVN) -pl crds -am install -DskipTests -q
	$(MVN) -pl node-daemon test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cnm.daemon.bench.OverlayBench -q

## bench-services: VIPs in a sandbox's nftables: full load of 1,000 and 10,000 services x 3 backends, +1 service / +1 backend / -1 backend into 10,000, per-connection latency at 10 vs 10,000 services; the project's flat data maps through libnftables vs kube-proxy's chain-per-service layout through the nft tool, same run.
bench-services:
	$(MVN) -pl crds -am install -DskipTests -q
	$(MVN) -pl node-daemon test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cnm.daemon.bench.ServicesBench -q

## bench-e2e: on cnm-lab, a CnmEndpoint created through the API until a watch sees it Ready and Realized, with 20 and 500 endpoints on the node, beside the API's floor (a ConfigMap, and a custom resource with a status write) and the chain (the path's own requests and watch hops, trivial controllers); bursts; RSS.
bench-e2e: build
	java -Dcnm.home=$(CURDIR) -cp e2e/target/cnm-lab.jar:e2e/target/test-classes:node-daemon/target/test-classes io.cnm.lab.bench.E2eBench

## bench-memory: on cnm-lab with the operator and the node-daemon in JVMs of their own with the chart's settings: the daemon's RSS beside its heap with 1,000 endpoints on its node, the operator's with 10,000 endpoints (9,000 of them for pods) in the cluster (about 30 min: the lab's mock API server is slow with 9,000 pods; PART=daemon: the daemon's part alone).
bench-memory: build
	java -Dcnm.home=$(CURDIR) -cp e2e/target/cnm-lab.jar:e2e/target/test-classes:node-daemon/target/test-classes io.cnm.lab.bench.MemoryBench $(PART)

## bench-encryption: iperf3 (1 and 4 streams) and ping between two nodes: VXLAN in the clear, VXLAN through the userspace ESP path, and wireguard-go, same run, 3 rounds.
bench-encryption:
	command -v iperf3 >/dev/null && command -v wireguard-go >/dev/null && command -v wg >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends iperf3 wireguard-go wireguard-tools)
	$(MVN) -pl crds -am install -DskipTests -q
	$(MVN) -pl node-daemon test-compile -q
	$(MVN) -pl node-daemon exec:exec -q -Dexec.executable=java -Dexec.classpathScope=test \
	  "-Dexec.args=$(DAEMON_JVM_OPTIONS) -classpath %classpath io.cnm.daemon.bench.EncryptionBench 3"

## bench-dns: the embedded DNS (in a JVM with the daemon's shipped settings) against dnsmasq and a floor server that only answers (C, built here), same name, dnsperf over loopback in namespaces of its own: qps at 50 in flight, CPU per query, p50/p99 at 1,000 qps.
bench-dns:
	command -v dnsperf >/dev/null && command -v dnsmasq >/dev/null && command -v cc >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends dnsperf dnsmasq-base gcc libc6-dev)
	$(MVN) -pl crds -am install -DskipTests -q
	$(MVN) -pl node-daemon test-compile -q
	$(MVN) -pl node-daemon exec:exec -q -Dexec.executable=java -Dexec.classpathScope=test \
	  "-Dexec.args=$(DAEMON_JVM_OPTIONS) -classpath %classpath io.cnm.daemon.bench.DnsBench"
