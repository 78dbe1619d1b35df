#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (real Kafka clients and tools), when running as root.
# Idempotent and quick when everything is already there.
set -euo pipefail
PKGS=(kcat python3-confluent-kafka python3-kafka librdkafka-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: missing Debian packages (${missing[*]}); run as root to install them; interop tests needing them will fail" >&2
  exit 0
fi
echo "install-system-deps: apt-get install ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
