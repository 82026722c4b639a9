#!/usr/bin/env bash
# PRSS against Vandermonde extraction (docs/protocols.md, "Random sharings"):
# meshmpc-bench over TCP loopback for each n, each randomness and each operation,
# RUNS processes of --repeat 3 each; prints the median ops/s of all timed runs, and
# the median wall time of a whole one-product session (set-up included).
# Usage: tools/bench-randomness.sh [build dir, default build/release]
#   PARTIES="3 4 5 6 7 9 11" RUNS=2 BATCH=100000 tools/bench-randomness.sh   (the default)
#   PARTIES="15" RUNS=1 BATCH=2000 CMP_BATCH=200 tools/bench-randomness.sh  (PRSS: 3432 streams)
#   OPS="mul-grr cmp" ...  only these operations (cmp: 32-bit, the default -L)
set -euo pipefail
bench="${1:-build/release}/bench/meshmpc-bench"
parties="${PARTIES:-3 4 5 6 7 9 11}"
runs="${RUNS:-2}"
batch="${BATCH:-100000}"
cmp_batch="${CMP_BATCH:-10000}"

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# op name, then meshmpc-bench arguments
ops=(
  "mul-grr|--op mul --mul grr --batch $batch"
  "mul-dn07|--op mul --mul dn07 --batch $batch"
  "random|--op random --batch $batch"
  "random_bits|--op random_bits --batch $batch"
  "cmp-L16|--op cmp -L 16 --batch $cmp_batch"
  "cmp|--op cmp --batch $cmp_batch"
)
only="${OPS:-mul-grr mul-dn07 random random_bits cmp-L16}"
echo "op,parties,randomness,median_ops_per_s,timed_runs,rounds,bytes_per_op_per_party"
for n in $parties; do
  for r in prss extraction; do
    for spec in "${ops[@]}"; do
      name="${spec%%|*}"
      [[ " $only " == *" $name "* ]] || continue
      read -r -a args <<<"${spec#*|}"
      rows=$(for _ in $(seq "$runs"); do
        "$bench" "${args[@]}" -M "$n" --randomness "$r" --repeat 3 --log-level warn 2>/dev/null | grep -v '^op,' || true
      done)
      [ -n "$rows" ] || { echo "$name,$n,$r,failed,0,,"; continue; }
      ops_s=$(cut -d, -f6 <<<"$rows" | median)
      count=$(wc -l <<<"$rows")
      last=$(tail -n 1 <<<"$rows")
      echo "$name,$n,$r,$ops_s,$count,$(cut -d, -f7 <<<"$last"),$(cut -d, -f8 <<<"$last")"
    done
    secs=$(for _ in 1 2 3; do
      /usr/bin/time -f %e "$bench" --op mul --batch 1 -M "$n" --randomness "$r" --log-level warn 2>&1 >/dev/null | tail -n 1
    done | median)
    echo "session-wall-s,$n,$r,$secs,3,,"
  done
done
