#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (real Kafka clients and tools), when running as root.
# Idempotent and quick when everything is already there (one dpkg query, no apt-get).
#   kcat                     librdkafka's CLI producer/consumer (interop and golden tests)
#   librdkafka-dev gcc libc6-dev   to compile test/helpers/mock-cluster.c (librdkafka's mock Kafka cluster)
#   python3-confluent-kafka  confluent-kafka-python 1.7 for Debian's /usr/bin/python3 (not the pyenv python3)
#   python3-kafka            kafka-python 2.0.2, same interpreter
#   python3-snappy python3-lz4 python3-zstandard   codecs kafka-python needs beyond gzip
set -euo pipefail
PKGS=(kcat librdkafka-dev gcc libc6-dev python3-confluent-kafka python3-kafka python3-snappy python3-lz4 python3-zstandard)
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
