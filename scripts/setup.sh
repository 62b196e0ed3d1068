#!/usr/bin/env bash
# Installs every Debian package that building, running and testing bakeoff needs.
# Idempotent; run as root on Debian 12. Skips apt-get entirely when all packages are present.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates clang-format clang-tidy
  libgtest-dev libgmock-dev libbenchmark-dev
  librdkafka-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libhiredis-dev libnats-dev librabbitmq-dev libmosquitto-dev
  libcurl4-openssl-dev libssl-dev libsqlite3-dev zlib1g-dev libcpp-httplib-dev wrk
  redis-server redis-tools nats-server rabbitmq-server mosquitto mosquitto-clients kcat
  procps iproute2 chromium
  openjdk-17-jre-headless maven
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # Debian's service packages try to start their daemons; there is no init system here and bakeoff
  # starts its own server processes, so a policy-rc.d that refuses starts keeps the install quiet.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

# Node.js servers the local provider starts (kinesalite: the Kinesis API), pinned by the committed
# tools/node/package-lock.json and installed into tools/node/node_modules (not global). Skipped when
# already installed at the locked version.
NODE_TOOLS="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tools/node"
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing Debian's nodejs and npm"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
LOCK_HASH="$(sha256sum "$NODE_TOOLS/package-lock.json" | cut -d' ' -f1)"
if [[ -f "$NODE_TOOLS/node_modules/.bakeoff-lock-hash" ]] && \
   [[ "$(cat "$NODE_TOOLS/node_modules/.bakeoff-lock-hash")" == "$LOCK_HASH" ]]; then
  echo "setup: node tools present ($NODE_TOOLS)"
else
  echo "setup: installing node tools into $NODE_TOOLS (npm ci)"
  (cd "$NODE_TOOLS" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$LOCK_HASH" > "$NODE_TOOLS/node_modules/.bakeoff-lock-hash"
fi

# Apache Kafka for the local provider (`server: kafka`) and bench/vs_kafka_tools.sh: the broker and its
# tools as jars from Maven Central, pinned by the committed tools/kafka/pom.xml (kafka.version), copied
# into tools/kafka/lib/ (Maven keeps its own download cache in ~/.m2). Run on Debian's Java 17; no
# tarball, no Docker. Skipped when lib/ was made from the same pom. Beside the jars:
# broker-config-names.txt, the broker settings of that version (from Kafka's own config definition), which
# the local provider checks `config:` keys against.
KAFKA_TOOLS="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tools/kafka"
POM_HASH="$(sha256sum "$KAFKA_TOOLS/pom.xml" | cut -d' ' -f1)"
if [[ -f "$KAFKA_TOOLS/lib/.bakeoff-pom-hash" ]] && \
   [[ "$(cat "$KAFKA_TOOLS/lib/.bakeoff-pom-hash")" == "$POM_HASH" ]]; then
  echo "setup: Kafka jars present ($KAFKA_TOOLS/lib)"
else
  echo "setup: fetching Apache Kafka jars into $KAFKA_TOOLS/lib (mvn dependency:copy-dependencies)"
  rm -rf "$KAFKA_TOOLS/lib.new"
  mvn -q -B -Dstyle.color=never -f "$KAFKA_TOOLS/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_TOOLS/lib.new" -DincludeScope=runtime 2>&1 | sed $'s/\x1b\\[0m//g'
  java -cp "$KAFKA_TOOLS/lib.new/*" kafka.server.KafkaConfig 2>/dev/null \
    | grep -o 'id="brokerconfigs_[^"]*"' | sed 's/^id="brokerconfigs_//; s/"$//' | sort -u \
    > "$KAFKA_TOOLS/lib.new/broker-config-names.txt"
  if [[ ! -s "$KAFKA_TOOLS/lib.new/broker-config-names.txt" ]]; then
    echo "setup: could not list Kafka's broker settings (java -cp lib/* kafka.server.KafkaConfig)" >&2
    exit 1
  fi
  echo "$POM_HASH" > "$KAFKA_TOOLS/lib.new/.bakeoff-pom-hash"
  rm -rf "$KAFKA_TOOLS/lib"
  mv "$KAFKA_TOOLS/lib.new" "$KAFKA_TOOLS/lib"
fi

# The web UI's build tools (Vite, TypeScript), its one run-time library (uPlot) and the browser
# test's driver (playwright-core, which drives Debian's chromium above: no browser download), pinned
# by the committed web/package-lock.json into web/node_modules. Skipped when the lock is unchanged.
WEB="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/web"
WEB_LOCK_HASH="$(sha256sum "$WEB/package-lock.json" | cut -d' ' -f1)"
if [[ -f "$WEB/node_modules/.bakeoff-lock-hash" ]] && \
   [[ "$(cat "$WEB/node_modules/.bakeoff-lock-hash")" == "$WEB_LOCK_HASH" ]]; then
  echo "setup: web UI packages present ($WEB)"
else
  echo "setup: installing the web UI's packages into $WEB (npm ci)"
  (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$WEB_LOCK_HASH" > "$WEB/node_modules/.bakeoff-lock-hash"
fi
