#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then ctest (unit, store, service and the
# black-box API scenarios over real HTTP). Ends with ctest's summary; exit code is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j2
