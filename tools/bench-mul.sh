#!/usr/bin/env bash
# The multiplication table of docs/benchmarks.md: meshmpc-bench over n = 3, 5, 7,
# in-memory and TCP loopback, both degree reductions, a batch of 10^6, best of 3.
# Usage: tools/bench-mul.sh [build dir, default build/release]
set -euo pipefail
bench="${1:-build/release}/bench/meshmpc-bench"
echo "op,parties,transport,batch,seconds,ops_per_s,rounds,bytes_per_op_per_party,field,randomness"
for n in 3 5 7; do
  for transport in inmem tcp; do
    for mul in grr dn07; do
      "$bench" --op mul --parties "$n" --transport "$transport" --mul "$mul" \
        --batch 1000000 --repeat 3 --log-level warn 2>/dev/null |
        sort -t, -k6 -n -r | head -n 1
    done
  done
done
