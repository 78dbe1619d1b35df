#!/usr/bin/env bash
# Re-captures the golden wire fixtures (test/fixtures/wire) from real clients talking to librdkafka's mock
# cluster through scripts/capture/proxy.ts. Run by hand when the client set changes, then commit the output;
# CI never runs this (it only reads the committed fixtures).
#
# Usage: scripts/capture/capture-all.sh [--upstream mock|gregor] [client ...]
#   without --upstream: both (librdkafka's mock cluster, then Gregor's broker started from source)
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/install-system-deps.sh
# kafka-python needs these Python libs for snappy/lz4/zstd (gzip is built in); the capture records which it had.
for p in python3-snappy python3-lz4 python3-zstandard; do
  if ! dpkg -s "$p" >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$p" >/dev/null
    else
      echo "capture-all: $p missing (not root); kafka-python will capture fewer codecs" >&2
    fi
  fi
done
case " $* " in
  *" --upstream "*) exec node --import tsx scripts/capture/capture-all.ts "$@" ;;
  *)
    node --import tsx scripts/capture/capture-all.ts --upstream mock "$@"
    exec node --import tsx scripts/capture/capture-all.ts --upstream gregor "$@"
    ;;
esac
