# cnm-operator. Every target works on a fresh Debian machine as root (see .ci/run for the packages).
MVN ?= ./mvnw -B -ntp
CHART := helm/cnm-operator
GENERATED := crds/target/classes/META-INF/fabric8

.PHONY: build test crds helm-lint e2e clean

## build: compile everything and package the operator and node-daemon (Quarkus apps) and the CRDs.
build:
	$(MVN) install -DskipTests

## test: every test tier that runs here: unit, kernel (as root, in namespaces the tests create), API (mock server), chart; e2e skips without Docker.
test:
	$(MVN) install

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
