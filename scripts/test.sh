#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then ctest (unit, store, service, the
# black-box API scenarios over real HTTP, and the web UI's unit and browser tests). Ends with
# ctest's summary; exit code is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --tests
bash scripts/build.sh
cd build
ctest --output-on-failure -j2
