#!/usr/bin/env bash
# The Nebula table of docs/benchmarks.md: secure multiplications per second, the
# time of one round and the transport alone (--op exchange), over nebula and over
# direct TCP between the same network namespaces (tools/nebula-lab.sh; needs root and nebula). Party i runs
# in host i's namespace; "tcp" dials the underlay addresses, "nebula" the
# overlay. Prints CSV rows of party 0 (meshmpc-bench's columns; the transport
# column says tcp or nebula): best of --repeat runs each. Then a second block, the
# plain baseline on the same paths: meshmpc-rawnet with one process per namespace
# moving the bytes of each meshmpc row in its rounds (as tools/bench_report.py does
# on loopback), rows "raw-<op>,<path>,<batch>,<meshmpc's median seconds>,<meshmpc-rawnet's CSV>".
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
rawnet=$(dirname "$bench")/meshmpc-rawnet
[ -x "$rawnet" ] || { echo "bench-nebula: build meshmpc-rawnet first ($rawnet)" >&2; exit 1; }

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
    grep -E '^(mul|exchange)' "$LAB_DIR/bench0.out"
  }
  raw_all() {  # raw_all <tcp|nebula> <bytes per party> <rounds>: party 0's meshmpc-rawnet line
    local path=$1 pids=() peers=() i j
    shift
    for ((j = 0; j < LAB_HOSTS; j++)); do
      local a=LAB_UNDERLAY_$j
      [ "$path" = tcp ] || a=LAB_IP_$j
      local host=${!a}
      [[ $host != *:* ]] || host="[$host]"  # an IPv6 overlay
      peers+=(--peer "$host:$((port + 1))")  # not meshmpc's port, whose last links may linger
    done
    for ((i = 0; i < LAB_HOSTS; i++)); do
      local ns=LAB_NS_$i
      ip netns exec "${!ns}" "$rawnet" --index "$i" "${peers[@]}" --bytes "$1" --rounds "$2" >"$LAB_DIR/raw$i.out" 2>&1 &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || { cat "$LAB_DIR"/raw*.out >&2; return 1; }; done
    cat "$LAB_DIR/raw0.out"
  }
  median_of() {  # median_of <rows>: the median rate after the first (warm-up) run, as bench_report.py's median_row
    local rows
    rows=$(if [ "$(wc -l <<<"$1")" -gt 2 ]; then tail -n +2 <<<"$1"; else echo "$1"; fi | sort -t, -k6 -g)
    sed -n "$(($(wc -l <<<"$rows") / 2 + 1))p" <<<"$rows"
  }
  raw_for() {  # raw_for <path> <meshmpc rows>: the raw row of the same bytes and rounds
    local path=$1 median op batch seconds rounds bytes_per_op bytes=$((16 * (LAB_HOSTS - 1))) timed=200 line
    median=$(median_of "$2")
    IFS=, read -r op _ _ batch seconds _ rounds bytes_per_op _ <<<"$median"
    # A batch of 1: one round of 16 bytes per peer, many times (the latency of a
    # round). A batch: its bytes spread over its rounds, 5 timed rounds of that size.
    if [ "$batch" != 1 ]; then
      rounds=$((rounds > 1 ? rounds : 1))
      bytes=$(awk -v b="$bytes_per_op" -v n="$batch" -v r="$rounds" 'BEGIN { printf "%d", b * n / r }')
      timed=5
    fi
    line=$(raw_all "$path" "$bytes" "$timed") || return 1
    # Both sides as medians: meshmpc's median run beside the median plain round.
    echo "raw-$op,$path,$batch,$seconds,$line"
  }
  echo "op,parties,transport,batch,seconds,ops_per_s,rounds,bytes_per_op_per_party,field,randomness,peak_rss_mb,rtt_ms,rate_mbit"
  local transports=(tcp nebula) raw_rows=() rows raw op batch repeat order
  [ -z "${LAB_NAT_0:-}" ] || transports=(nebula)
  for transport in "${transports[@]}"; do
    # Throughput: a large batch, best of 3; latency: one product, best of 20; the
    # transport alone: one round of 10^6 elements to every peer, best of 3.
    for measure in "mul 1000000 3 -k6 -n -r" "mul 100000 3 -k6 -n -r" "mul 1 20 -k5 -n" "exchange 1000000 3 -k6 -n -r"; do
      read -r op batch repeat order <<<"$measure"
      rows=$(run_all "$transport" --op "$op" --batch "$batch" --repeat "$repeat")
      # shellcheck disable=SC2086  # $order: sort's options
      sort -t, $order <<<"$rows" | head -n 1
      raw=$(raw_for "$transport" "$rows")
      raw_rows+=("$raw")
    done
  done
  echo "kind,path,batch,mpc_median_seconds,parties,bytes_per_party,rounds,median_round_seconds,min_round_seconds"
  printf '%s\n' "${raw_rows[@]}"
}

if [ -n "$inner_mode" ]; then
  inner
  exit
fi
lab_args=(--hosts "$n")
[ -z "$rate" ] || [ "$rate" = - ] || lab_args+=(--rate "$rate")
[ -z "$nat" ] || lab_args+=(--nat-masq "$(seq -s, 0 $((n - 1)))")
LAB_QUIET=1 exec tools/nebula-lab.sh run "${lab_args[@]}" -- "$0" --inner "$bench"
