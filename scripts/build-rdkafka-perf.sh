#!/usr/bin/env bash
# Builds librdkafka's load generator examples/rdkafka_performance from the Debian source package of the
# installed librdkafka (apt-get source), against the installed librdkafka-dev, into a cache outside git.
# Prints the binary's path on stdout (progress goes to stderr). Used by the broker benchmark.
# Source and binary are never committed: they live in node_modules/.cache/gregor (or $GREGOR_CACHE_DIR).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${GREGOR_CACHE_DIR:-$REPO/node_modules/.cache/gregor}/rdkafka-perf"
log() { echo "build-rdkafka-perf: $*" >&2; }

if ! dpkg -s librdkafka-dev >/dev/null 2>&1; then
  bash "$REPO/scripts/install-system-deps.sh"
fi
VERSION="$(dpkg-query -W -f='${Version}' librdkafka-dev)"
BIN="$CACHE/rdkafka_performance-$VERSION"
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi
mkdir -p "$CACHE"

SRC_DIR="$(find "$CACHE" -maxdepth 1 -type d -name 'librdkafka-*' 2>/dev/null | head -n1 || true)"
if [ -z "$SRC_DIR" ] || [ ! -f "$SRC_DIR/examples/rdkafka_performance.c" ]; then
  if ! apt-cache showsrc librdkafka 2>/dev/null | grep -q '^Package: librdkafka'; then
    if [ "$(id -u)" -ne 0 ]; then
      log "deb-src is not enabled and we are not root; cannot run apt-get source"; exit 1
    fi
    # Enable source packages for the same suites the binary packages come from (deb822 format).
    log "enabling deb-src in /etc/apt/sources.list.d/gregor-deb-src.sources"
    cat > /etc/apt/sources.list.d/gregor-deb-src.sources <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    apt-get update -q >/dev/null
  fi
  command -v dpkg-source >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q dpkg-dev >/dev/null; }
  log "apt-get source librdkafka=$VERSION into $CACHE"
  # Exact version of the installed -dev package, so the example matches the library it links against.
  (cd "$CACHE" && apt-get source -q "librdkafka=$VERSION" >&2) || (cd "$CACHE" && apt-get source -q librdkafka >&2)
  SRC_DIR="$(find "$CACHE" -maxdepth 1 -type d -name 'librdkafka-*' | head -n1)"
fi

# The example includes librdkafka's internal "../src/rd.h", which needs the config.h that ./configure writes.
# Only configure runs (seconds); the library itself is not built: we link against the installed librdkafka.
if [ ! -f "$SRC_DIR/config.h" ]; then
  log "configuring $SRC_DIR (for config.h only)"
  (cd "$SRC_DIR" && ./configure --disable-ssl --disable-gssapi --disable-lz4-ext >&2)
fi
log "compiling $SRC_DIR/examples/rdkafka_performance.c"
gcc -O2 -w -I"$SRC_DIR/src" -o "$BIN.tmp" "$SRC_DIR/examples/rdkafka_performance.c" -lrdkafka -lm -lpthread
mv "$BIN.tmp" "$BIN"
echo "$BIN"
