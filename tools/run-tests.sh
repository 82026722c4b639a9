#!/usr/bin/env bash
# README command 2: install what is missing, build, run the whole test suite:
# the multi-party tests under TSan first, then every libFuzzer target for a few
# seconds, then everything under ASan+UBSan with warnings as errors (its ctest
# summary is the last line printed).
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
# nebula 1.11 from Debian sid into build/nebula-sid (one line; the tests that need it skip without it).
./tools/fetch-nebula.sh
jobs=$(nproc)

echo "== TSan: multi-party tests =="
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs" --target meshmpc_multiparty_tests
ctest --preset tsan -j "$jobs"

echo "== libFuzzer: every parser of untrusted input, 5 s each (tools/run-fuzzers.sh) =="
./tools/run-fuzzers.sh 5

echo "== ASan + UBSan: the whole suite =="
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"
