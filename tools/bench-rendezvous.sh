#!/usr/bin/env bash
# bench-rendezvous.sh: first contact through a rendezvous, and the throughput of
# the paths it finds (docs/benchmarks.md). For each NAT mode of tools/nat-lab.sh
# (lan: one LAN, links "direct"; portpreserving: each party behind its own
# port-preserving NAT, links "punched"; random: random-port NATs, links
# "relayed" through the rendezvous), it builds the lab, starts meshmpc-rendezvous
# in the rendezvous namespace, runs N meshmpc-bench parties in the parties'
# namespaces with --join --expect N --code C --op mul (--log-level debug,
# --json where meshmpc-bench has it), tears the lab down, and
# prints one CSV row per mode:
#   mode,parties,path,join_to_roster_ms,roster_to_links_ms,first_contact_ms,mul_per_s
# path: the link paths the parties' summaries report ("+"-joined if
# several); the three times come from the parties' log timestamps (ms
# resolution), each the largest over the parties: join_to_roster from "joining
# session" to "roster signed by all" (waiting for the last party to join, then
# the agreement's two rounds: signatures, the code check), roster_to_links from
# there to "links up" (the connect phase: dial, punch, or relay after
# relay_after = 1.5 s), first_contact from the join to links up; mul_per_s: the median of
# party 0's --repeat rows of GRR products per second.
#
# Usage: sudo tools/bench-rendezvous.sh [--build DIR] [--modes lan,portpreserving,random]
#          [--hosts N] [--batch B] [--repeat R] [--timeout S] [--no-code] [--logs DIR]
#   --build    the build directory (default: the repository's build/release): needs
#              bench/meshmpc-bench and src/apps/rendezvous/meshmpc-rendezvous
#              (cmake --build --preset release --target meshmpc-bench meshmpc-rendezvous)
#   --modes    comma-separated nat-lab.sh modes (default lan,portpreserving,random;
#              public and public-one work too)
#   --hosts    parties (default 3)
#   --batch    products per timed run (default 100000)
#   --repeat   timed runs per party (default 3)
#   --timeout  each party's --timeout in seconds (default 60); a party still
#              running 30 s past it is killed
#   --no-code  join without a session code (the roster is signed, not proven)
#   --logs     keep each mode's logs in DIR/<mode>/ (default: thrown away)
# Needs root (network namespaces), iproute2, nftables. Every wait is bounded.
set -euo pipefail

die() { echo "bench-rendezvous: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF=$ROOT/tools/$(basename "${BASH_SOURCE[0]}")
PORT=7000
SESSION=bench

# ---- inside a lab (tools/nat-lab.sh run ... -- "$0" --inner ...) -------------

# The milliseconds since midnight of a log line's "HH:MM:SS.mmm" stamp.
stamp_ms() {  # stamp_ms <line>
  local t=${1%% *} h m s ms
  [[ $t =~ ^([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{3})$ ]] || return 1
  h=${BASH_REMATCH[1]} m=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]} ms=${BASH_REMATCH[4]}
  echo $(((10#$h * 3600 + 10#$m * 60 + 10#$s) * 1000 + 10#$ms))
}

# The stamp of the first line of <file> holding <text>, in ms.
first_stamp() {  # first_stamp <file> <text>
  local line
  line=$(grep -m 1 -F -- "$2" "$1") || return 1
  stamp_ms "$line"
}

# b - a in ms, across midnight.
elapsed() {  # elapsed <a> <b>
  local d=$(($2 - $1))
  [ "$d" -ge 0 ] || d=$((d + 86400000))
  echo "$d"
}

median() {  # median < numbers, one a line
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; m = int((NR + 1) / 2);
    if (NR % 2) printf "%.0f\n", v[m]; else printf "%.0f\n", (v[m] + v[m + 1]) / 2 }'
}

rendezvous_listening() { grep -q "listening on" "$LAB_DIR/rendezvous.log" 2>/dev/null; }

inner() {  # inner <mode> <build> <batch> <repeat> <timeout> <code or -> <logs or ->
  local mode=$1 build=$2 batch=$3 repeat=$4 timeout=$5 code=$6 logs=$7
  local bench=$build/bench/meshmpc-bench rv=$build/src/apps/rendezvous/meshmpc-rendezvous
  local n=$LAB_HOSTS i
  "$LAB_SCRIPT" start --dir "$LAB_DIR" --in rendezvous --log "$LAB_DIR/rendezvous.log" -- \
    "$rv" --listen "$LAB_RENDEZVOUS_IP:$PORT" --log-level info >/dev/null
  local deadline=$((SECONDS + 10))
  until rendezvous_listening; do
    [ $SECONDS -lt $deadline ] || die "$mode: meshmpc-rendezvous did not listen within 10 s: $(cat "$LAB_DIR/rendezvous.log")"
    sleep 0.05
  done

  local code_args=() json_args=() pids=() failed=0
  [ "$code" = - ] || code_args=(--code "$code")
  # The summary as JSON where the program has --json; else its text form.
  if "$bench" --help 2>/dev/null | grep -q -- '--json'; then json_args=(--json); fi
  for ((i = 0; i < n; i++)); do
    local ns=LAB_NS_$i
    # --foreground: in this script's process group, which nat-lab.sh run stops
    # on an interrupt (ip netns exec execs the program: no grandchildren).
    timeout --foreground -k 5 $((timeout + 30)) ip netns exec "${!ns}" "$bench" \
      --join "$LAB_RENDEZVOUS_IP:$PORT/$SESSION" --expect "$n" "${code_args[@]}" --party-name "p$i" \
      --op mul --batch "$batch" --repeat "$repeat" --timeout "$timeout" --log-level debug "${json_args[@]}" \
      >"$LAB_DIR/party$i.out" 2>"$LAB_DIR/party$i.err" </dev/null &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { echo "bench-rendezvous: $mode: party p$i failed (exit $?):" >&2; tail -n 5 "$LAB_DIR/party$i.err" >&2; failed=1; }
  done
  if [ "$logs" != - ]; then
    mkdir -p "$logs/$mode"
    cp "$LAB_DIR"/party*.out "$LAB_DIR"/party*.err "$LAB_DIR/rendezvous.log" "$logs/$mode/"
  fi
  [ "$failed" = 0 ] || exit 1

  local join roster links j2r=0 r2l=0 first=0 d
  for ((i = 0; i < n; i++)); do
    local err=$LAB_DIR/party$i.err
    join=$(first_stamp "$err" "rendezvous: joining session") || die "$mode: p$i logged no join"
    roster=$(first_stamp "$err" "rendezvous: roster signed by all") || die "$mode: p$i logged no roster"
    links=$(first_stamp "$err" "links up to") || die "$mode: p$i logged no 'links up' (--log-level debug?)"
    d=$(elapsed "$join" "$roster"); [ "$d" -le "$j2r" ] || j2r=$d
    d=$(elapsed "$roster" "$links"); [ "$d" -le "$r2l" ] || r2l=$d
    d=$(elapsed "$join" "$links"); [ "$d" -le "$first" ] || first=$d
  done
  local paths mul
  # {"party":1,"name":"p1","path":"punched"} or "; paths: party 1 (p1) punched, ...".
  paths=$(cat "$LAB_DIR"/party*.err | grep -oE '"path":"[a-z]+"|\(p[0-9]+\) (direct|punched|relayed)' |
    grep -oE 'direct|punched|relayed' | sort -u | paste -sd+ -) || true
  [ -n "$paths" ] || die "$mode: no paths in the parties' summaries"
  # Only party 0 (the first in the roster's order, any of p0..p{n-1}) prints rows.
  mul=$(cat "$LAB_DIR"/party*.out | grep '^mul' | cut -d, -f6 | median) || die "$mode: no mul rows on stdout"
  echo "$mode,$n,$paths,$j2r,$r2l,$first,$mul"
}

if [ "${1:-}" = --inner ]; then
  shift
  inner "$@"
  exit
fi

# ---- outside: options, then one lab per mode ---------------------------------

build=$ROOT/build/release modes=lan,portpreserving,random hosts=3 batch=100000 repeat=3 timeout=60 use_code=1 logs=-
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=${2:?--build DIR}; shift 2 ;;
    --modes) modes=${2:?--modes LIST}; shift 2 ;;
    --hosts) hosts=${2:?--hosts N}; shift 2 ;;
    --batch) batch=${2:?--batch B}; shift 2 ;;
    --repeat) repeat=${2:?--repeat R}; shift 2 ;;
    --timeout) timeout=${2:?--timeout S}; shift 2 ;;
    --no-code) use_code=""; shift ;;
    --logs) logs=${2:?--logs DIR}; shift 2 ;;
    -h | --help) usage ;;
    *) echo "bench-rendezvous: unknown option '$1'" >&2; usage ;;
  esac
done
for v in hosts batch repeat timeout; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--$v must be a positive integer, not '${!v}'"
done
[ "$hosts" -ge 2 ] || die "--hosts must be at least 2"
IFS=, read -ra mode_list <<<"$modes"
for m in "${mode_list[@]}"; do
  case $m in lan | portpreserving | random | public | public-one) ;; *) die "--modes: unknown mode '$m'" ;; esac
done
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
[ -d "$build" ] || die "--build: no directory '$build'"
build=$(cd "$build" && pwd)
for p in bench/meshmpc-bench src/apps/rendezvous/meshmpc-rendezvous; do
  [ -x "$build/$p" ] || die "no $build/$p: cmake --build --preset release --target meshmpc-bench meshmpc-rendezvous"
done
[ "$logs" = - ] || { mkdir -p "$logs" && logs=$(cd "$logs" && pwd); }
cd "$ROOT"

echo "mode,parties,path,join_to_roster_ms,roster_to_links_ms,first_contact_ms,mul_per_s"
status=0
for m in "${mode_list[@]}"; do
  code=-
  [ -z "$use_code" ] || code=$("$build/bench/meshmpc-bench" --new-code)
  # Bounded inside: nat-lab.sh's set-up, the rendezvous's start, each party.
  LAB_QUIET=1 tools/nat-lab.sh run --hosts "$hosts" --mode "$m" -- \
    "$SELF" --inner "$m" "$build" "$batch" "$repeat" "$timeout" "$code" "$logs" || {
    echo "bench-rendezvous: mode $m failed" >&2
    status=1
  }
done
exit $status
