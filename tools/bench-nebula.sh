#!/usr/bin/env bash
# The Nebula table of docs/benchmarks.md: secure multiplications per second and
# the time of one round, over nebula and over direct TCP between the same
# network namespaces (tools/nebula-lab.sh; needs root and nebula). Party i runs
# in host i's namespace; "tcp" dials the underlay addresses, "nebula" the
# overlay. Prints CSV rows of party 0 (meshmpc-bench's columns; the transport
# column says tcp or nebula): best of --repeat runs each.
# Usage: tools/bench-nebula.sh [build dir, default build/release] [parties, default 3] [rate, e.g. 100mbit] [masq]
# "masq" puts every host behind its own masquerading NAT: nebula relays every pair
# through the lighthouse and direct TCP is impossible (nebula rows only).
set -euo pipefail
cd "$(dirname "$0")/.."
inner_mode=""
if [ "${1:-}" = --inner ]; then inner_mode=1; bench=$2; fi
build=${1:-build/release}
n=${2:-3}
rate=${3:-}
nat=${4:-}
[ -z "$nat" ] || [ "$nat" = masq ] || { echo "bench-nebula: the 4th argument is 'masq' or nothing" >&2; exit 2; }
[ -n "$inner_mode" ] || bench=$(cd "$build" && pwd)/bench/meshmpc-bench
[ -x "$bench" ] || { echo "bench-nebula: build meshmpc-bench first ($bench)" >&2; exit 1; }

inner() {
  # shellcheck disable=SC1091
  . "$LAB_DIR/lab.env"
  local port=11365
  run_all() {  # run_all <transport> <op args...>: party 0's rows
    local transport=$1 pids=() i
    shift
    for ((i = 0; i < LAB_HOSTS; i++)); do
      local ns=LAB_NS_$i args=()
      if [ "$transport" = tcp ]; then
        # Plaintext between the lab's namespaces, asked for by name: the baseline
        # nebula's encryption is measured against (nothing leaves this machine).
        args=(-I "$i" --insecure-plaintext)
        for ((j = 0; j < LAB_HOSTS; j++)); do
          local u=LAB_UNDERLAY_$j
          args+=(-P "${!u}:$port")
        done
      else
        args=(-M "$LAB_HOSTS" --transport nebula --nebula-config "$LAB_DIR/h$i.yml" --nebula-roster "$LAB_DIR/roster.txt")
      fi
      ip netns exec "${!ns}" "$bench" "${args[@]}" "$@" --log-level warn --timeout 60 >"$LAB_DIR/bench$i.out" 2>&1 &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    grep -E '^mul' "$LAB_DIR/bench0.out"
  }
  echo "op,parties,transport,batch,seconds,ops_per_s,rounds,bytes_per_op_per_party,field,randomness,peak_rss_mb,rtt_ms,rate_mbit"
  local transports=(tcp nebula)
  [ -z "${LAB_NAT_0:-}" ] || transports=(nebula)
  for transport in "${transports[@]}"; do
    # Throughput: a large batch, best of 3; latency: one product, best of 20.
    run_all "$transport" --op mul --batch 1000000 --repeat 3 | sort -t, -k6 -n -r | head -n 1
    run_all "$transport" --op mul --batch 100000 --repeat 3 | sort -t, -k6 -n -r | head -n 1
    run_all "$transport" --op mul --batch 1 --repeat 20 | sort -t, -k5 -n | head -n 1
  done
}

if [ -n "$inner_mode" ]; then
  inner
  exit
fi
lab_args=(--hosts "$n")
[ -z "$rate" ] || [ "$rate" = - ] || lab_args+=(--rate "$rate")
[ -z "$nat" ] || lab_args+=(--nat-masq "$(seq -s, 0 $((n - 1)))")
LAB_QUIET=1 exec tools/nebula-lab.sh run "${lab_args[@]}" -- "$0" --inner "$bench"
