#!/usr/bin/env bash
# README command 1: install what is missing, build (Release), run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target salaries
exec ./build/release/examples/salaries -M 3 --salaries 52000,61000,48000 "$@"
