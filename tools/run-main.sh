#!/usr/bin/env bash
# README command 1: install what is missing, build (Release), run the main job:
# secret santa among 5 parties on this machine (extra arguments go to it).
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target secretsanta
exec ./build/release/examples/secretsanta -M 5 "$@"
