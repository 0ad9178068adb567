#!/usr/bin/env bash
# Installs the Debian packages Pipedeck needs to build and test, and nothing when they are all
# present (so it is cheap to run every time). Must run as root on Debian 12.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git ca-certificates curl
  libboost1.81-dev libboost-json1.81-dev
  libsqlite3-dev sqlite3
  libsodium-dev
  libcli11-dev
  libgtest-dev libgmock-dev
)

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
