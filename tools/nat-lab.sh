#!/usr/bin/env bash
# nat-lab.sh: parties behind NATs and a rendezvous on a "public" segment, all on
# this machine, for the rendezvous tests and benchmarks (issue 15). Each host is
# a network namespace:
#   public segment  198.18.0.0/24 (RFC 2544's benchmarking range: never routed)
#                   through a bridge in <prefix>-pub;
#   rendezvous      <prefix>-rv at 198.18.0.1;
#   party i, by its kind:
#     lan             on one LAN 10.215.0.0/24 (a bridge in the LAN's router)
#                     with the other "lan" parties at 10.215.0.(10+i), behind that
#                     router's port-preserving NAT, public address 198.18.0.2;
#     portpreserving  behind its own NAT <prefix>-n<i> (nft "masquerade"), at
#                     10.216.i.2 (see --home-subnet), public address 198.18.0.(100+i);
#     random          the same with random source ports ("masquerade random",
#                     or --random-kind fully-random);
#     public          on the public segment itself at 198.18.0.(10+i).
# A NAT drops unsolicited inbound connections (as home routers do; --unsolicited
# rst leaves them to the kernel, which answers a SYN with a RST). A NAT routes
# only the public segment: a dial to another NAT's private range fails at once
# (ICMP network unreachable), it is not dropped.
#
#   nat-lab.sh up --dir D --hosts N [--mode lan|portpreserving|random|public|public-one]
#                 [--host i=KIND ...] [--random-kind random|fully-random]
#                 [--unsolicited drop|rst] [--home-subnet distinct|same] [--prefix P]
#       --mode sets every party's kind (public-one: party 0 public, the others
#       random); --host overrides one. --home-subnet same puts every party
#       behind its own NAT at 10.216.0.2 (as most homes use one 192.168.x net):
#       a peer's local address is then the party's own. Writes D/lab.env (KEY=VALUE):
#         LAB_DIR, LAB_SCRIPT (this script), LAB_PREFIX, LAB_HOSTS,
#         LAB_NS_RENDEZVOUS, LAB_RENDEZVOUS_IP,
#         LAB_PUBLIC_NET, LAB_NS_<i> (party i's namespace), LAB_KIND_<i>,
#         LAB_IP_<i> (its own address), LAB_PUBLIC_IP_<i> (the address its
#         connections come from on the public segment), LAB_NS_NAT_<i> (its NAT's
#         namespace, for lan: the LAN router's);
#       on failure or interrupt it tears down what it built.
#   nat-lab.sh start --dir D --in rendezvous|<i> [--log F] -- command ...
#       starts a command in the background inside a namespace of the lab,
#       recorded: "down" stops it (and its children) by PID. Prints the PID.
#   nat-lab.sh down --dir D
#       stops the recorded processes, deletes the namespaces.
#   nat-lab.sh run [up options] -- command ...
#       up in a temporary directory, runs the command with lab.env's variables
#       in its environment (party i runs as: ip netns exec "$LAB_NS_i" ...), then
#       down, whatever happens; the command's exit status is run's.
#
# Example (three friends behind home NATs; a meshmpc build in build/release):
#   tools/nat-lab.sh run --hosts 3 --mode portpreserving -- sh -c '
#     "$LAB_SCRIPT" start --dir "$LAB_DIR" --in rendezvous -- \
#       build/release/src/apps/rendezvous/meshmpc-rendezvous --listen "$LAB_RENDEZVOUS_IP:7000"
#     for i in 0 1 2; do
#       eval ns=\$LAB_NS_$i
#       ip netns exec "$ns" build/release/examples/secretsanta/secretsanta \
#         --join "$LAB_RENDEZVOUS_IP:7000/friends" --expect 3 & done; wait'
#
# Needs root, iproute2, nftables. Every wait is bounded.
#
# What the NATs do (measured with tests/integration/nat_probe on kernel 6.18,
# nftables 1.0.6; the nat_lab_test NatLabTest.* cases check it on every run).
# A party listens on port P and makes every connection from P (SO_REUSEADDR +
# SO_REUSEPORT): to the introducer on the rendezvous host (which tells it the
# address:port it saw, and the peer's), to a second port there, then to the peer.
#   port-preserving NAT, the rules of this lab:
#     table ip nat { chain post { type nat hook postrouting priority 100;
#                                 oifname "wan" masquerade; } }
#     table inet filter {
#       chain input   { type filter hook input priority 0;   iifname "wan" ct state new drop; }
#       chain forward { type filter hook forward priority 0; iifname "wan" ct state new drop; } }
#   "masquerade" keeps the source port whenever the NATed tuple is still unique:
#   the introducer and its second port both saw <NAT>:P (endpoint-independent
#   mapping). Filtering is conntrack's: only packets of connections opened from
#   inside come back. Both parties then dial each other's <NAT>:P from P (TCP
#   simultaneous open): the first party's SYN reaches the far NAT before that
#   NAT's own party has sent its SYN, is "ct state new" there and is dropped.
#   The far party's SYN then leaves through its NAT (creating the entry there)
#   and passes the near NAT as a reply to the near party's SYN_SENT entry; the
#   near socket, in SYN-SENT, answers that SYN with a SYN-ACK, which the far NAT
#   now lets in, and both ends are established without waiting for any
#   retransmission: "connected via dial" on both sides at the first attempt,
#   one conntrack entry per NAT (src=10.216.0.2:40000 dst=198.18.0.101:40001,
#   reply to 198.18.0.100:40000). nf_conntrack_tcp_loose (1 by default in every
#   namespace) plays no part; no sysctl had to change.
#   --unsolicited rst (no filter table): the NAT's own kernel answers that
#   first SYN with a RST. The dialler gets ECONNREFUSED, its NAT's entry dies
#   with the RST (none is left behind), and the other party's SYN, arriving
#   next, is refused the same way: on the lab's veths (microseconds between the
#   namespaces) both sides were refused at each of 5 attempts 200 ms apart in
#   38 runs of 40; in 2 the SYNs happened to cross and the punch connected.
#   Across a real network the SYNs cross only when both are sent within the
#   one-way delay of each other; a NAT that drops unsolicited SYNs (as home
#   routers do) is what makes punching dependable, hence this lab's default.
#   random ports: "masquerade random" (and "masquerade fully-random") pick a
#   new random source port for every connection, the first one too: the
#   introducer saw <NAT>:35326 and its second port <NAT>:46109. A SYN to the
#   reflexive address meets no entry and is dropped on both sides: every
#   attempt timed out, and only a relay connects such parties.
#   A public party is reached from behind any NAT: the NATed party's dial to the
#   public party's address is an ordinary outbound connection, accepted by its
#   listener.
# tc netem is not available in this kernel (no sch_netem): the lab has no
# latency option.
set -euo pipefail

LAB_TOOL="nat-lab"
SCRIPT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
# shellcheck source=tools/lab-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab-common.sh"
die() { lab_die "$@"; }
log() { lab_log "$@"; }

PUBLIC=198.18.0
RENDEZVOUS_IP=$PUBLIC.1
LAN_ROUTER_IP=$PUBLIC.2
LAN=10.215.0

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }

down() { lab_down "$1"; }

kind_of() {  # kind_of <i>: the kind of party i from MODE and the --host overrides
  local spec kind=$MODE
  if [ "$MODE" = public-one ]; then
    if [ "$1" = 0 ]; then kind=public; else kind=random; fi
  fi
  for spec in "${HOST_KINDS[@]}"; do [ "${spec%%=*}" = "$1" ] && kind=${spec#*=}; done
  echo "$kind"
}

# True when a TCP connection from namespace <ns> to <ip>:<port> is refused:
# the host answered.
refused_from() {  # refused_from <ns> <ip> <port>
  local err
  err=$(timeout 3 ip netns exec "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>&1) && return 1
  [[ $err == *"Connection refused"* ]]
}

valid_kind() { case $1 in lan | portpreserving | random | public) return 0 ;; *) return 1 ;; esac; }

up() {
  local hosts=0 prefix="nat$$" unsolicited=drop random_kind=random home_subnet=distinct
  MODE=portpreserving
  HOST_KINDS=()
  while [ $# -gt 0 ]; do
    case $1 in
      --dir) DIR=$2; shift 2 ;;
      --hosts) hosts=$2; shift 2 ;;
      --mode) MODE=$2; shift 2 ;;
      --host) HOST_KINDS+=("$2"); shift 2 ;;
      --random-kind) random_kind=$2; shift 2 ;;
      --unsolicited) unsolicited=$2; shift 2 ;;
      --home-subnet) home_subnet=$2; shift 2 ;;
      --prefix) prefix=$2; shift 2 ;;
      *) die "up: unknown option '$1'" ;;
    esac
  done
  [ -n "${DIR:-}" ] || die "up: --dir is required"
  [[ $hosts =~ ^[0-9]+$ ]] && [ "$hosts" -ge 1 ] && [ "$hosts" -le 50 ] || die "up: --hosts must be 1..50, not '$hosts'"
  valid_kind "$MODE" || [ "$MODE" = public-one ] || die "up: --mode must be lan, portpreserving, random, public or public-one, not '$MODE'"
  local spec
  for spec in "${HOST_KINDS[@]}"; do
    [[ ${spec%%=*} =~ ^[0-9]+$ ]] && [ "${spec%%=*}" -lt "$hosts" ] && valid_kind "${spec#*=}" ||
      die "up: --host '$spec': give i=KIND with i below --hosts and KIND lan, portpreserving, random or public"
  done
  case $random_kind in random | fully-random) ;; *) die "up: --random-kind must be random or fully-random" ;; esac
  case $unsolicited in drop | rst) ;; *) die "up: --unsolicited must be drop or rst" ;; esac
  case $home_subnet in distinct | same) ;; *) die "up: --home-subnet must be distinct or same" ;; esac

  [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
  for tool in ip nft setsid; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  : >"$DIR/namespaces"
  : >"$DIR/pids"
  trap 'rc=$?; trap - EXIT INT TERM; if [ $rc -ne 0 ]; then down "$DIR"; fi; exit $rc' EXIT
  trap 'exit 130' INT TERM

  log "namespaces $prefix-*"
  local pub=$prefix-pub rv=$prefix-rv
  lab_add_bridge_ns "$DIR" "$pub"
  lab_add_ns "$DIR" "$rv"
  lab_plug "$rv" eth0 prv "$pub"
  ip -n "$rv" addr add "$RENDEZVOUS_IP/24" dev eth0
  {
    echo "LAB_DIR=$DIR"
    echo "LAB_SCRIPT=$SCRIPT"
    echo "LAB_PREFIX=$prefix"
    echo "LAB_HOSTS=$hosts"
    echo "LAB_NS_RENDEZVOUS=$rv"
    echo "LAB_RENDEZVOUS_IP=$RENDEZVOUS_IP"
    echo "LAB_PUBLIC_NET=$PUBLIC.0/24"
    echo "LAB_UNSOLICITED=$unsolicited"
  } >"$DIR/lab.env"

  local lan_router="" i
  for ((i = 0; i < hosts; i++)); do
    local kind ns=$prefix-h$i ip public nat=""
    kind=$(kind_of "$i")
    lab_add_ns "$DIR" "$ns"
    case $kind in
      public)
        lab_plug "$ns" eth0 "ph$i" "$pub"
        ip="$PUBLIC.$((10 + i))"
        public=$ip
        ip -n "$ns" addr add "$ip/24" dev eth0
        ;;
      lan)
        # The LAN's router, made with its first party: a bridge for the LAN
        # inside it, its own address on that bridge, a NAT to the public side.
        if [ -z "$lan_router" ]; then
          lan_router=$prefix-lan
          lab_add_ns "$DIR" "$lan_router"
          ip -n "$lan_router" link add br0 type bridge
          ip -n "$lan_router" addr add "$LAN.1/24" dev br0
          ip -n "$lan_router" link set br0 up
          lab_plug "$lan_router" wan plan "$pub"
          ip -n "$lan_router" addr add "$LAN_ROUTER_IP/24" dev wan
          lab_nat_rules "$lan_router" wan masquerade "$unsolicited"
        fi
        nat=$lan_router
        lab_plug "$ns" eth0 "l$i" "$lan_router"
        ip="$LAN.$((10 + i))"
        public=$LAN_ROUTER_IP
        ip -n "$ns" addr add "$ip/24" dev eth0
        ip -n "$ns" route add default via "$LAN.1"
        ;;
      portpreserving | random)
        nat=$prefix-n$i
        lab_add_ns "$DIR" "$nat"
        lab_plug "$nat" wan "pn$i" "$pub"
        public="$PUBLIC.$((100 + i))"
        ip -n "$nat" addr add "$public/24" dev wan
        lab_link "$ns" eth0 "$nat" lan
        local home=10.216.$i
        [ "$home_subnet" = distinct ] || home=10.216.0
        ip -n "$nat" addr add "$home.1/24" dev lan
        ip="$home.2"
        ip -n "$ns" addr add "$ip/24" dev eth0
        ip -n "$ns" route add default via "$home.1"
        local masq=masquerade
        [ "$kind" = portpreserving ] || masq="masquerade $random_kind"
        lab_nat_rules "$nat" wan "$masq" "$unsolicited"
        ;;
    esac
    {
      echo "LAB_NS_$i=$ns"
      echo "LAB_KIND_$i=$kind"
      echo "LAB_IP_$i=$ip"
      echo "LAB_PUBLIC_IP_$i=$public"
      [ -z "$nat" ] || echo "LAB_NS_NAT_$i=$nat"
    } >>"$DIR/lab.env"
  done
  # Up means reachable: a TCP connection from every party to a closed port of
  # the rendezvous host is refused (its RST came back through the NAT). Bounded;
  # veths come up at once, this catches a broken set-up.
  for ((i = 0; i < hosts; i++)); do
    lab_wait_until 10 refused_from "$prefix-h$i" "$RENDEZVOUS_IP" 9 ||
      die "party $i ($prefix-h$i, $(kind_of "$i")) cannot reach the rendezvous $RENDEZVOUS_IP"
  done
  log "up: $hosts parties ($(for ((i = 0; i < hosts; i++)); do printf '%s ' "$(kind_of "$i")"; done)), rendezvous $RENDEZVOUS_IP in $rv"
  trap - EXIT INT TERM
}

start() {
  local dir="" where="" logfile=""
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    case $1 in
      --dir) dir=$2; shift 2 ;;
      --in) where=$2; shift 2 ;;
      --log) logfile=$2; shift 2 ;;
      *) die "start: unknown option '$1'" ;;
    esac
  done
  [ "${1:-}" = "--" ] && [ $# -gt 1 ] || die "start: give the command after --"
  shift
  [ -f "$dir/lab.env" ] || die "start: --dir '$dir' holds no lab (no lab.env)"
  local key ns
  if [ "$where" = rendezvous ]; then key=LAB_NS_RENDEZVOUS; else key=LAB_NS_$where; fi
  ns=$(sed -n "s/^$key=//p" "$dir/lab.env" | head -n 1)
  [ -n "$ns" ] || die "start: --in '$where': the lab has no such host (rendezvous or 0..N-1)"
  [ -n "$logfile" ] || logfile=$dir/$where-$(date +%s%N).log
  lab_start "$dir" "$ns" "$logfile" "$@"
  echo "$LAB_STARTED_PID"
}

run() {
  local up_args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do up_args+=("$1"); shift; done
  [ "${1:-}" = "--" ] || die "run: give the command after --"
  shift
  [ $# -gt 0 ] || die "run: no command after --"
  DIR=$(mktemp -d /tmp/meshmpc-natlab-XXXXXX)
  CHILD=""
  trap 'rc=$?; trap - EXIT INT TERM; [ -z "$CHILD" ] || kill -- "-$CHILD" 2>/dev/null || true; down "$DIR"; rm -rf "$DIR"; exit $rc' EXIT
  trap 'exit 130' INT TERM
  ( up --dir "$DIR" "${up_args[@]}" )
  local rc=0
  # In its own session, in the background and waited for: a signal to this
  # script interrupts the wait at once (bash defers traps while a foreground
  # command runs), and the trap stops the command's whole group.
  (
    set -a
    # shellcheck disable=SC1091
    . "$DIR/lab.env"
    set +a
    exec setsid "$@"
  ) &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  exit $rc
}

case ${1:-} in
  up) shift; up "$@" ;;
  down)
    shift
    [ "${1:-}" = --dir ] && [ -n "${2:-}" ] || die "down: --dir D is required"
    down "$2" ;;
  start) shift; start "$@" ;;
  run) shift; run "$@" ;;
  *) usage ;;
esac
