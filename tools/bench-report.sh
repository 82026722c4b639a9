#!/usr/bin/env bash
# The benchmark report: builds the Release tree's benchmarks and examples, runs them
# (tools/bench_report.py), and writes bench/results/*.csv, bench/results/*.png and
# docs/benchmarks.md. Quick by default (a few minutes on 2 cores after the build);
# never part of the test command.
#   tools/bench-report.sh                      quick
#   tools/bench-report.sh --full               every n, the issue's batch sizes
#   tools/bench-report.sh --mpyc ~/src/mpyc    MPyC measured beside meshmpc in the same run
#   tools/bench-report.sh --mp-spdz ~/MP-SPDZ  MP-SPDZ's shamir-party.x (built there) beside it
#   tools/bench-report.sh --nebula             nebula against TCP in tools/nebula-lab.sh (root)
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh --bench
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target meshmpc-bench meshmpc-rawnet secretsanta auction
exec /usr/bin/python3 tools/bench_report.py --build build/release "$@"
