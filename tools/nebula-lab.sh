#!/usr/bin/env bash
# nebula-lab.sh: a Nebula overlay of N "hosts" on this machine, for tests and
# benchmarks. Each host is a network namespace; an underlay LAN (10.212.0.0/24)
# joins them through a bridge in its own namespace; a lighthouse namespace
# (10.212.0.1, overlay 10.213.0.1, also a relay) serves them; a CA and host
# certificates are made with nebula-cert; one nebula daemon runs per namespace
# (PIDs recorded). Hosts may sit behind their own NAT namespace:
#   --nat-masq i,j     masquerade only: peers cannot reach each other directly,
#                      nebula relays through the lighthouse;
#   --nat-portmap i,j  masquerade plus a port forward of nebula's UDP port: a
#                      direct path between peers.
# Needs root, nebula, nebula-cert, iproute2 (and nft for NATs, tc for --rate).
#
#   nebula-lab.sh up --dir D --hosts N [--rate 100mbit] [--nat-masq 1,2] [--nat-portmap 0]
#                    [--groups-of i=g1,g2] [--port P]
#       builds the lab; writes D/lab.env (KEY=VALUE), D/roster.txt (the hosts'
#       certificates in party order), D/ca.crt, D/h<i>.crt|.key|.yml, D/*.log;
#       on failure or interrupt it tears down what it built.
#   nebula-lab.sh down --dir D        kills the daemons by PID, deletes the namespaces
#   nebula-lab.sh run [up options] -- command ...
#       up in a temporary directory, runs the command with LAB_DIR set (host i
#       runs in namespace $LAB_NS_i: ip netns exec ...), then down, whatever happens
#   nebula-lab.sh paths --dir D       for each pair of hosts: direct or relayed
#
# Host i: namespace <prefix>-h<i>, overlay IP 10.213.0.(10+i); its nebula config
# is D/h<i>.yml (meshmpc's --nebula-config). Every wait is bounded (20 s).
set -euo pipefail

die() { echo "nebula-lab: $*" >&2; exit 1; }
log() { [ -n "${LAB_QUIET:-}" ] || echo "nebula-lab: $*" >&2; }

UNDERLAY=10.212.0
OVERLAY=10.213.0
NEBULA_PORT=4242
WAIT_SECONDS=20

usage() { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# -------- teardown (also the trap of a failing "up") --------
# A recorded PID is killed only while it is still a nebula (PIDs get reused).
is_nebula() { [ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = nebula ]; }

down() {
  local dir=$1 pid
  [ -d "$dir" ] || return 0
  if [ -f "$dir/pids" ]; then
    while read -r pid; do
      if is_nebula "$pid"; then kill "$pid" 2>/dev/null || true; fi
    done <"$dir/pids"
    # Bounded wait for them to go; then SIGKILL.
    for _ in $(seq 50); do
      local alive=0
      while read -r pid; do if is_nebula "$pid"; then alive=1; fi; done <"$dir/pids"
      [ $alive -eq 0 ] && break
      sleep 0.1
    done
    while read -r pid; do
      if is_nebula "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
    done <"$dir/pids"
    rm -f "$dir/pids"
  fi
  if [ -f "$dir/namespaces" ]; then
    while read -r ns; do
      if [ -n "$ns" ]; then ip netns del "$ns" 2>/dev/null || true; fi
    done <"$dir/namespaces"
    rm -f "$dir/namespaces"
  fi
}

# -------- building blocks --------
add_ns() {  # add_ns <dir> <name>
  ip netns add "$2"
  echo "$2" >>"$1/namespaces"
  ip -n "$2" link set lo up
}

# A veth from namespace $1 (as $2) to the bridge namespace, plugged into br0.
plug() {  # plug <ns> <ifname> <port name in bridge ns>
  ip link add "$2" netns "$1" type veth peer name "$3" netns "$BRIDGE_NS"
  ip -n "$BRIDGE_NS" link set "$3" master br0 up
  ip -n "$1" link set "$2" up
}

in_list() {  # in_list <i> <comma list>
  local item
  IFS=, read -ra items <<<"$2"
  for item in "${items[@]}"; do [ "$item" = "$1" ] && return 0; done
  return 1
}

write_config() {  # write_config <file> <name> <am_lighthouse true|false>
  local file=$1 name=$2 lighthouse=$3
  {
    echo "pki: {ca: $DIR/ca.crt, cert: $DIR/$name.crt, key: $DIR/$name.key}"
    if [ "$lighthouse" = true ]; then
      echo "static_host_map: {}"
      echo "lighthouse: {am_lighthouse: true, interval: 10}"
      echo "relay: {am_relay: true, use_relays: false}"
    else
      echo "static_host_map: {\"$OVERLAY.1\": [\"$UNDERLAY.1:$NEBULA_PORT\"]}"
      echo "lighthouse: {am_lighthouse: false, interval: 10, hosts: [\"$OVERLAY.1\"]}"
      echo "relay: {relays: [\"$OVERLAY.1\"], use_relays: true}"
    fi
    echo "listen: {host: 0.0.0.0, port: $NEBULA_PORT}"
    echo "punchy: {punch: true, respond: true, delay: 1s}"
    echo "tun: {dev: nebula1, mtu: 1300}"
    echo "logging: {level: info}"
    echo "firewall:"
    echo "  outbound: [{port: any, proto: any, host: any}]"
    echo "  inbound: [{port: any, proto: icmp, host: any}, {port: any, proto: tcp, host: any}]"
  } >"$file"
}

start_nebula() {  # start_nebula <ns> <name>
  ip netns exec "$1" nebula -config "$DIR/$2.yml" >"$DIR/$2.log" 2>&1 &
  echo $! >>"$DIR/pids"
}

wait_overlay() {  # wait_overlay <ns> <overlay ip> <log name>
  local deadline=$((SECONDS + WAIT_SECONDS))
  until ip -n "$1" -4 addr show dev nebula1 2>/dev/null | grep -q "inet $2/"; do
    [ $SECONDS -lt $deadline ] || die "nebula in $1 did not bring up $2 on nebula1 within ${WAIT_SECONDS}s; log: $DIR/$3.log: $(tail -n 3 "$DIR/$3.log" 2>/dev/null)"
    sleep 0.1
  done
}

up() {
  local hosts=0 rate="" masq="" portmap="" groups_of=() prefix="mnl$$"
  while [ $# -gt 0 ]; do
    case $1 in
      --dir) DIR=$2; shift 2 ;;
      --hosts) hosts=$2; shift 2 ;;
      --rate) rate=$2; shift 2 ;;
      --nat-masq) masq=$2; shift 2 ;;
      --nat-portmap) portmap=$2; shift 2 ;;
      --groups-of) groups_of+=("$2"); shift 2 ;;
      --prefix) prefix=$2; shift 2 ;;
      *) die "up: unknown option '$1'" ;;
    esac
  done
  [ -n "${DIR:-}" ] || die "up: --dir is required"
  [[ $hosts =~ ^[0-9]+$ ]] && [ "$hosts" -ge 1 ] && [ "$hosts" -le 50 ] || die "up: --hosts must be 1..50"
  [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
  for tool in nebula nebula-cert ip; do command -v $tool >/dev/null || die "$tool is not installed"; done
  { [ -z "$masq$portmap" ] || command -v nft >/dev/null; } || die "nft is not installed (needed for NAT)"
  { [ -z "$rate" ] || command -v tc >/dev/null; } || die "tc is not installed (needed for --rate)"
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  : >"$DIR/namespaces"
  : >"$DIR/pids"
  trap 'rc=$?; trap - EXIT INT TERM; if [ $rc -ne 0 ]; then down "$DIR"; fi; exit $rc' EXIT
  trap 'exit 130' INT TERM

  log "certificates in $DIR"
  nebula-cert ca -name "meshmpc-lab-ca" -duration 24h -groups mpc,admin,guest -ips "$OVERLAY.0/24" \
    -out-crt "$DIR/ca.crt" -out-key "$DIR/ca.key"
  nebula-cert sign -ca-crt "$DIR/ca.crt" -ca-key "$DIR/ca.key" -name lighthouse -ip "$OVERLAY.1/24" \
    -groups admin -out-crt "$DIR/lighthouse.crt" -out-key "$DIR/lighthouse.key"
  : >"$DIR/roster.txt"
  for ((i = 0; i < hosts; i++)); do
    local groups=mpc spec
    for spec in "${groups_of[@]}"; do [ "${spec%%=*}" = "$i" ] && groups=${spec#*=}; done
    nebula-cert sign -ca-crt "$DIR/ca.crt" -ca-key "$DIR/ca.key" -name "h$i" -ip "$OVERLAY.$((10 + i))/24" \
      -groups "$groups" -out-crt "$DIR/h$i.crt" -out-key "$DIR/h$i.key"
    echo "h$i.crt" >>"$DIR/roster.txt"
  done

  log "namespaces $prefix-*"
  BRIDGE_NS=$prefix-br
  add_ns "$DIR" "$BRIDGE_NS"
  ip -n "$BRIDGE_NS" link add br0 type bridge
  ip -n "$BRIDGE_NS" link set br0 up
  local lh=$prefix-lh
  add_ns "$DIR" "$lh"
  plug "$lh" eth0 plh
  ip -n "$lh" addr add "$UNDERLAY.1/24" dev eth0
  {
    echo "LAB_PREFIX=$prefix"
    echo "LAB_HOSTS=$hosts"
    echo "LAB_DIR=$DIR"
    echo "LAB_NS_LIGHTHOUSE=$lh"
    echo "LAB_BRIDGE_NS=$BRIDGE_NS"
  } >"$DIR/lab.env"

  for ((i = 0; i < hosts; i++)); do
    local ns=$prefix-h$i nat="" underlay
    add_ns "$DIR" "$ns"
    if in_list "$i" "$masq" || in_list "$i" "$portmap"; then
      nat=$prefix-n$i
      add_ns "$DIR" "$nat"
      plug "$nat" wan "pn$i"
      ip -n "$nat" addr add "$UNDERLAY.$((100 + i))/24" dev wan
      ip link add eth0 netns "$ns" type veth peer name lan netns "$nat"
      ip -n "$nat" addr add "10.214.$i.1/24" dev lan
      ip -n "$nat" link set lan up
      ip -n "$ns" addr add "10.214.$i.2/24" dev eth0
      ip -n "$ns" link set eth0 up
      ip -n "$ns" route add default via "10.214.$i.1"
      ip netns exec "$nat" sysctl -qw net.ipv4.ip_forward=1
      local rules="table ip nat {
  chain post { type nat hook postrouting priority 100; oifname \"wan\" masquerade; }"
      if in_list "$i" "$portmap"; then
        rules+="
  chain pre { type nat hook prerouting priority -100; iifname \"wan\" udp dport $NEBULA_PORT dnat to 10.214.$i.2:$NEBULA_PORT; }"
      fi
      rules+="
}"
      ip netns exec "$nat" nft -f - <<<"$rules"
      underlay="10.214.$i.2"
      echo "LAB_NAT_$i=$([ -n "$portmap" ] && in_list "$i" "$portmap" && echo portmap || echo masquerade)" >>"$DIR/lab.env"
      echo "LAB_NS_NAT_$i=$nat" >>"$DIR/lab.env"
      echo "LAB_PUBLIC_$i=$UNDERLAY.$((100 + i))" >>"$DIR/lab.env"
    else
      plug "$ns" eth0 "ph$i"
      underlay="$UNDERLAY.$((10 + i))"
      ip -n "$ns" addr add "$underlay/24" dev eth0
    fi
    if [ -n "$rate" ]; then
      ip netns exec "$ns" tc qdisc add dev eth0 root tbf rate "$rate" burst 64kb latency 200ms
    fi
    {
      echo "LAB_NS_$i=$ns"
      echo "LAB_IP_$i=$OVERLAY.$((10 + i))"
      echo "LAB_UNDERLAY_$i=$underlay"
    } >>"$DIR/lab.env"
  done

  log "nebula daemons"
  write_config "$DIR/lighthouse.yml" lighthouse true
  start_nebula "$lh" lighthouse
  for ((i = 0; i < hosts; i++)); do
    write_config "$DIR/h$i.yml" "h$i" false
    start_nebula "$prefix-h$i" "h$i"
  done
  wait_overlay "$lh" "$OVERLAY.1" lighthouse
  for ((i = 0; i < hosts; i++)); do wait_overlay "$prefix-h$i" "$OVERLAY.$((10 + i))" "h$i"; done
  echo "LAB_PIDS=\"$(tr '\n' ' ' <"$DIR/pids")\"" >>"$DIR/lab.env"
  log "up: $hosts hosts, overlay $OVERLAY.0/24, lighthouse $OVERLAY.1"
  trap - EXIT INT TERM
}

# How hosts a and b reached each other, from their nebula logs: the last
# completed handshake (a line naming the peer's certificate) of each side; a
# handshake carried by a relay has "relay=" or no UDP address ("<nil>").
# Prints "relayed", "direct" or "none" (no tunnel between them).
last_handshake() {  # last_handshake <log> <peer overlay ip>
  grep -E "msg=\"Handshake message (received|sent)\" certName=.*vpnIp=$2( |\$)" "$1" 2>/dev/null | tail -n 1
}

path_between() {  # path_between <dir> <a> <b>
  local ab ba
  ab=$(last_handshake "$1/h$2.log" "$OVERLAY.$((10 + $3))")
  ba=$(last_handshake "$1/h$3.log" "$OVERLAY.$((10 + $2))")
  if [ -z "$ab$ba" ]; then
    echo none
  elif grep -q -E 'relay=|udpAddr="<nil>"' <<<"$ab$ba"; then
    echo relayed
  else
    echo direct
  fi
}

paths() {
  local dir=""
  while [ $# -gt 0 ]; do
    case $1 in --dir) dir=$2; shift 2 ;; *) die "paths: unknown option '$1'" ;; esac
  done
  # shellcheck disable=SC1091
  . "$dir/lab.env"
  for ((a = 0; a < LAB_HOSTS; a++)); do
    for ((b = a + 1; b < LAB_HOSTS; b++)); do echo "h$a-h$b $(path_between "$dir" $a $b)"; done
  done
}

run() {
  local up_args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do up_args+=("$1"); shift; done
  [ "${1:-}" = "--" ] || die "run: give the command after --"
  shift
  [ $# -gt 0 ] || die "run: no command after --"
  DIR=$(mktemp -d /tmp/meshmpc-lab-XXXXXX)
  CHILD=""
  trap 'rc=$?; trap - EXIT INT TERM; [ -z "$CHILD" ] || kill "$CHILD" 2>/dev/null || true; down "$DIR"; rm -rf "$DIR"; exit $rc' EXIT
  trap 'exit 130' INT TERM
  ( up --dir "$DIR" "${up_args[@]}" )
  local rc=0
  # In the background and waited for: a signal to this script interrupts the
  # wait at once (bash defers traps while a foreground command runs).
  LAB_DIR=$DIR "$@" &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  paths --dir "$DIR" >&2 || true
  exit $rc
}

case ${1:-} in
  up) shift; up "$@" ;;
  down)
    shift
    [ "${1:-}" = --dir ] && [ -n "${2:-}" ] || die "down: --dir D is required"
    down "$2" ;;
  run) shift; run "$@" ;;
  paths) shift; paths "$@" ;;
  *) usage ;;
esac
