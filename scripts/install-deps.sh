#!/usr/bin/env bash
# Installs the Debian packages Pipedeck needs to build (and, with --tests, to run every test), and
# nothing when they are all present (so it is cheap to run every time). Must run as root on
# Debian 12. The web UI's npm packages are installed by the build itself (npm ci, from
# web/package-lock.json).
#
#   bash scripts/install-deps.sh [--tests]
set -euo pipefail

with_tests=0
[ "${1:-}" = "--tests" ] && with_tests=1

packages=(
  g++ cmake ninja-build pkg-config git ca-certificates curl
  libboost1.81-dev libboost-json1.81-dev
  libsqlite3-dev sqlite3
  libsodium-dev
  libcli11-dev
  libgtest-dev libgmock-dev
)
# The web UI is built with node (18 or newer) and npm; a machine that has them already (for
# example node 20 from elsewhere) keeps its own.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
# The browser tests drive Debian's chromium with playwright-core.
if [ "$with_tests" = 1 ]; then
  packages+=(chromium)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing packages and not root; run as root or install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
