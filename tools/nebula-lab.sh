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
# Which nebula, and which certificates (nebula 1.10+ for all but the default):
#   --nebula DIR       DIR/nebula and DIR/nebula-cert (default: those on PATH,
#                      Debian 12's 1.6.1); tools/fetch-nebula.sh puts 1.11 in
#                      build/nebula-sid/root/usr/bin;
#   --cert-version 2   v2 certificates (nebula-cert ca -version 2, -networks);
#                      the default is 1, as nebula 1.6.1 makes them;
#   --overlay6         with --cert-version 2: an IPv6-only overlay fd42:213::/64,
#                      the lighthouse fd42:213::1, host i fd42:213::<10+i>;
#   --migration        the upgrade from v1 to v2 half done: a v1 CA and a v2 CA,
#                      both in every host's pki.ca; each host holds a v1 and a v2
#                      certificate (one key) in pki.cert with
#                      pki.initiating_version 2, except the hosts of
#   --v1-only i,j      (default: the last host), which keep their v1 certificate only.
# Needs root, nebula, nebula-cert, iproute2 (and nft for NATs, tc for --rate).
#
#   nebula-lab.sh up --dir D --hosts N [--rate 100mbit] [--nat-masq 1,2] [--nat-portmap 0]
#                    [--groups-of i=g1,g2] [--nebula DIR] [--cert-version 1|2] [--overlay6]
#                    [--migration [--v1-only i,j]]
#       builds the lab; writes D/lab.env (KEY=VALUE), D/roster.txt (the hosts'
#       certificates in party order: for a host with two, the v2 one it
#       initiates with), D/ca.crt, D/h<i>.crt|.key|.yml (h<i>.crt is pki.cert:
#       one or two certificates; h<i>-v1.crt, h<i>-v2.crt each alone), D/*.log;
#       on failure or interrupt it tears down what it built.
#   nebula-lab.sh down --dir D        kills the daemons by PID, deletes the namespaces
#   nebula-lab.sh run [up options] -- command ...
#       up in a temporary directory, runs the command with LAB_DIR set (host i
#       runs in namespace $LAB_NS_i: ip netns exec ...), then down, whatever happens
#   nebula-lab.sh paths --dir D       for each pair of hosts: direct or relayed
#
# Host i: namespace <prefix>-h<i>, overlay IP 10.213.0.(10+i) (or fd42:213::<10+i>);
# its nebula config is D/h<i>.yml (meshmpc's --nebula-config). Every wait is
# bounded (20 s).
set -euo pipefail

LAB_TOOL="nebula-lab"
# shellcheck source=tools/lab-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab-common.sh"
die() { lab_die "$@"; }
log() { lab_log "$@"; }

UNDERLAY=10.212.0
OVERLAY=10.213.0
OVERLAY6=fd42:213:
NEBULA_PORT=4242
WAIT_SECONDS=20
NEBULA=nebula
NEBULA_CERT=nebula-cert

usage() { sed -n '2,43p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# Teardown (also the trap of a failing "up"): the daemons by recorded PID, the
# namespaces by recorded name (tools/lab-common.sh).
down() { lab_down "$1"; }

# The overlay address of host i ("lighthouse" for the lighthouse), without prefix.
overlay_of() {  # overlay_of <i|lighthouse>
  local n
  if [ "$1" = lighthouse ]; then n=1; else n=$((10 + $1)); fi
  if [ "$OVERLAY6_MODE" = 1 ]; then echo "$OVERLAY6:$n"; else echo "$OVERLAY.$n"; fi
}
prefix_len() { if [ "$OVERLAY6_MODE" = 1 ]; then echo 64; else echo 24; fi; }
overlay_net() { if [ "$OVERLAY6_MODE" = 1 ]; then echo "$OVERLAY6:/64"; else echo "$OVERLAY.0/24"; fi; }

write_config() {  # write_config <file> <name> <am_lighthouse true|false> <initiating version or "">
  local file=$1 name=$2 lighthouse=$3 initiating=$4 lh_ip
  lh_ip=$(overlay_of lighthouse)
  {
    echo "pki:"
    echo "  ca: $DIR/ca.crt"
    echo "  cert: $DIR/$name.crt"
    echo "  key: $DIR/$name.key"
    [ -z "$initiating" ] || echo "  initiating_version: $initiating"
    if [ "$lighthouse" = true ]; then
      echo "static_host_map: {}"
      echo "lighthouse: {am_lighthouse: true, interval: 10}"
      echo "relay: {am_relay: true, use_relays: false}"
    else
      # Overlay addresses as keys and in lists, quoted: an IPv6 one holds colons.
      echo "static_host_map: {\"$lh_ip\": [\"$UNDERLAY.1:$NEBULA_PORT\"]}"
      echo "lighthouse: {am_lighthouse: false, interval: 10, hosts: [\"$lh_ip\"]}"
      echo "relay: {relays: [\"$lh_ip\"], use_relays: true}"
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
  lab_start "$DIR" "$1" "$DIR/$2.log" "$NEBULA" -config "$DIR/$2.yml"
}

wait_overlay() {  # wait_overlay <ns> <overlay ip> <log name>
  local deadline=$((SECONDS + WAIT_SECONDS)) family=-4 inet=inet
  if [[ $2 == *:* ]]; then family=-6; inet=inet6; fi
  # An IPv6 address counts once it is usable: not "tentative" (DAD is off in
  # the lab's namespaces, and a NOARP tun skips it anyway; this is the check).
  until ip -n "$1" "$family" addr show dev nebula1 2>/dev/null | grep "$inet $2/" | grep -qv tentative; do
    [ $SECONDS -lt $deadline ] || die "nebula in $1 did not bring up $2 on nebula1 within ${WAIT_SECONDS}s; log: $DIR/$3.log: $(tail -n 3 "$DIR/$3.log" 2>/dev/null)"
    sleep 0.1
  done
}

# "1.11.0" from `<tool> -version`.
tool_version() { "$1" -version 2>/dev/null | sed -n 's/^Version: *\([0-9][0-9.]*\).*/\1/p' | head -n 1; }

# nebula-cert ca; v2 (and -networks) needs nebula-cert 1.10+, which must be told
# -version 1 for a v1 CA since v2 is its default.
make_ca() {  # make_ca <out base> <name> <version> <networks>
  local args=(ca -name "$2" -duration 24h -groups mpc,admin,guest -out-crt "$DIR/$1.crt" -out-key "$DIR/$1.key")
  if [ "$MODERN_CERT" = 1 ]; then
    args+=(-version "$3" -networks "$4")
  else
    args+=(-ips "$4")
  fi
  "$NEBULA_CERT" "${args[@]}"
}

# nebula-cert sign with the public key of <key base>.pub (one key for a host's
# v1 and v2 certificates, as Nebula requires of a pair in pki.cert).
sign_cert() {  # sign_cert <ca base> <name> <version> <network> <groups> <out crt> <key base>
  local args=(sign -ca-crt "$DIR/$1.crt" -ca-key "$DIR/$1.key" -name "$2" -groups "$5" -out-crt "$DIR/$6"
              -in-pub "$DIR/$7.pub")
  if [ "$MODERN_CERT" = 1 ]; then
    args+=(-version "$3" -networks "$4")
  else
    args+=(-ip "$4")
  fi
  "$NEBULA_CERT" "${args[@]}"
}

# The certificates of one host (or the lighthouse): its key, its v1 and/or v2
# certificate, pki.cert (D/<name>.crt) and the one the roster names; prints
# the pki.initiating_version to configure ("" for Nebula's default).
host_pki() {  # host_pki <name> <i|lighthouse> <groups>
  local name=$1 which=$2 groups=$3 network
  network="$(overlay_of "$which")/$(prefix_len)"
  "$NEBULA_CERT" keygen -out-key "$DIR/$name.key" -out-pub "$DIR/$name.pub"
  if [ "$MIGRATION" = 1 ]; then
    sign_cert ca-v1 "$name" 1 "$network" "$groups" "$name-v1.crt" "$name"
    if [ "$which" != lighthouse ] && lab_in_list "$which" "$V1_ONLY"; then
      cp "$DIR/$name-v1.crt" "$DIR/$name.crt"
      ROSTER_CERT=$name-v1.crt
      INITIATING=""
    else
      sign_cert ca-v2 "$name" 2 "$network" "$groups" "$name-v2.crt" "$name"
      cat "$DIR/$name-v1.crt" "$DIR/$name-v2.crt" >"$DIR/$name.crt"
      ROSTER_CERT=$name-v2.crt
      INITIATING=2
    fi
  else
    sign_cert ca "$name" "$CERT_VERSION" "$network" "$groups" "$name.crt" "$name"
    ROSTER_CERT=$name.crt
    INITIATING=""
  fi
}

up() {
  local hosts=0 rate="" masq="" portmap="" groups_of=() prefix="mnl$$" nebula_dir="" v1_only_given=0
  CERT_VERSION=1 OVERLAY6_MODE=0 MIGRATION=0 V1_ONLY=""
  while [ $# -gt 0 ]; do
    case $1 in
      --dir) DIR=$2; shift 2 ;;
      --hosts) hosts=$2; shift 2 ;;
      --rate) rate=$2; shift 2 ;;
      --nat-masq) masq=$2; shift 2 ;;
      --nat-portmap) portmap=$2; shift 2 ;;
      --groups-of) groups_of+=("$2"); shift 2 ;;
      --prefix) prefix=$2; shift 2 ;;
      --nebula) nebula_dir=$2; shift 2 ;;
      --cert-version) CERT_VERSION=$2; shift 2 ;;
      --overlay6) OVERLAY6_MODE=1; shift ;;
      --migration) MIGRATION=1; shift ;;
      --v1-only) V1_ONLY=$2; v1_only_given=1; shift 2 ;;
      *) die "up: unknown option '$1'" ;;
    esac
  done
  [ -n "${DIR:-}" ] || die "up: --dir is required"
  [[ $hosts =~ ^[0-9]+$ ]] && [ "$hosts" -ge 1 ] && [ "$hosts" -le 50 ] || die "up: --hosts must be 1..50"
  [ "$CERT_VERSION" = 1 ] || [ "$CERT_VERSION" = 2 ] || die "up: --cert-version must be 1 or 2, not '$CERT_VERSION'"
  [ "$OVERLAY6_MODE" = 0 ] || [ "$CERT_VERSION" = 2 ] || die "up: --overlay6 needs --cert-version 2 (v1 certificates hold IPv4 only)"
  [ "$MIGRATION" = 0 ] || [ "$OVERLAY6_MODE" = 0 ] ||
    die "up: --migration and --overlay6 do not go together (a host's v1 and v2 certificates must share their first network, and v1 is IPv4 only)"
  [ "$MIGRATION" = 1 ] || [ "$v1_only_given" = 0 ] || die "up: --v1-only belongs to --migration"
  [ "$MIGRATION" = 0 ] || [ "$v1_only_given" = 1 ] || V1_ONLY=$((hosts - 1))
  [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
  if [ -n "$nebula_dir" ]; then
    nebula_dir=$(cd "$nebula_dir" 2>/dev/null && pwd) || die "--nebula: no directory '$nebula_dir'"
    NEBULA=$nebula_dir/nebula
    NEBULA_CERT=$nebula_dir/nebula-cert
    [ -x "$NEBULA" ] && [ -x "$NEBULA_CERT" ] || die "--nebula $nebula_dir: no executable nebula and nebula-cert there"
  fi
  for tool in "$NEBULA" "$NEBULA_CERT" ip; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
  { [ -z "$masq$portmap" ] || command -v nft >/dev/null; } || die "nft is not installed (needed for NAT)"
  { [ -z "$rate" ] || command -v tc >/dev/null; } || die "tc is not installed (needed for --rate)"
  local nebula_version cert_tool_version
  nebula_version=$(tool_version "$NEBULA")
  cert_tool_version=$(tool_version "$NEBULA_CERT")
  MODERN_CERT=0
  if [ -n "$cert_tool_version" ] && dpkg --compare-versions "$cert_tool_version" ge 1.10; then MODERN_CERT=1; fi
  if [ "$CERT_VERSION" = 2 ] || [ "$MIGRATION" = 1 ]; then
    [ "$MODERN_CERT" = 1 ] && dpkg --compare-versions "${nebula_version:-0}" ge 1.10 ||
      die "v2 certificates need nebula and nebula-cert 1.10+; $NEBULA is ${nebula_version:-of unknown version}, $NEBULA_CERT ${cert_tool_version:-of unknown version} (tools/fetch-nebula.sh, then --nebula build/nebula-sid/root/usr/bin)"
  fi
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  : >"$DIR/namespaces"
  : >"$DIR/pids"
  trap 'rc=$?; trap - EXIT INT TERM; if [ $rc -ne 0 ]; then down "$DIR"; fi; exit $rc' EXIT
  trap 'exit 130' INT TERM

  log "certificates in $DIR (nebula-cert ${cert_tool_version:-?}, v$CERT_VERSION$([ "$MIGRATION" = 1 ] && echo ", migration v1 -> v2, v1 only: ${V1_ONLY:-none}"))"
  if [ "$MIGRATION" = 1 ]; then
    make_ca ca-v1 "meshmpc-lab-ca" 1 "$(overlay_net)"
    make_ca ca-v2 "meshmpc-lab-ca-v2" 2 "$(overlay_net)"
    cat "$DIR/ca-v1.crt" "$DIR/ca-v2.crt" >"$DIR/ca.crt"
  else
    make_ca ca "meshmpc-lab-ca" "$CERT_VERSION" "$(overlay_net)"
  fi
  host_pki lighthouse lighthouse admin
  LIGHTHOUSE_INITIATING=$INITIATING
  : >"$DIR/roster.txt"
  local initiating=()
  for ((i = 0; i < hosts; i++)); do
    local groups=mpc spec
    for spec in "${groups_of[@]}"; do [ "${spec%%=*}" = "$i" ] && groups=${spec#*=}; done
    host_pki "h$i" "$i" "$groups"
    initiating+=("$INITIATING")
    echo "$ROSTER_CERT" >>"$DIR/roster.txt"
  done

  log "namespaces $prefix-*"
  BRIDGE_NS=$prefix-br
  lab_add_bridge_ns "$DIR" "$BRIDGE_NS"
  local lh=$prefix-lh
  lab_add_ns "$DIR" "$lh"
  lab_no_dad "$lh"
  lab_plug "$lh" eth0 plh "$BRIDGE_NS"
  ip -n "$lh" addr add "$UNDERLAY.1/24" dev eth0
  {
    echo "LAB_PREFIX=$prefix"
    echo "LAB_HOSTS=$hosts"
    echo "LAB_DIR=$DIR"
    echo "LAB_NS_LIGHTHOUSE=$lh"
    echo "LAB_BRIDGE_NS=$BRIDGE_NS"
    echo "LAB_IP_LIGHTHOUSE=$(overlay_of lighthouse)"
    echo "LAB_OVERLAY=$(overlay_net)"
    echo "LAB_CERT_VERSION=$CERT_VERSION"
    echo "LAB_OVERLAY6=$OVERLAY6_MODE"
    echo "LAB_MIGRATION=$MIGRATION"
    echo "LAB_V1_ONLY=$V1_ONLY"
    echo "LAB_NEBULA=$NEBULA"
    echo "LAB_NEBULA_VERSION=$nebula_version"
  } >"$DIR/lab.env"

  for ((i = 0; i < hosts; i++)); do
    local ns=$prefix-h$i nat="" underlay
    lab_add_ns "$DIR" "$ns"
    lab_no_dad "$ns"
    if lab_in_list "$i" "$masq" || lab_in_list "$i" "$portmap"; then
      nat=$prefix-n$i
      lab_add_ns "$DIR" "$nat"
      lab_plug "$nat" wan "pn$i" "$BRIDGE_NS"
      ip -n "$nat" addr add "$UNDERLAY.$((100 + i))/24" dev wan
      lab_link "$ns" eth0 "$nat" lan
      ip -n "$nat" addr add "10.214.$i.1/24" dev lan
      ip -n "$ns" addr add "10.214.$i.2/24" dev eth0
      ip -n "$ns" route add default via "10.214.$i.1"
      local portforward=""
      if lab_in_list "$i" "$portmap"; then
        portforward="chain pre { type nat hook prerouting priority -100; iifname \"wan\" udp dport $NEBULA_PORT dnat to 10.214.$i.2:$NEBULA_PORT; }"
      fi
      # Unsolicited inbound gets the kernel's answer (nebula's UDP does not care).
      lab_nat_rules "$nat" wan masquerade rst "$portforward"
      underlay="10.214.$i.2"
      echo "LAB_NAT_$i=$([ -n "$portmap" ] && lab_in_list "$i" "$portmap" && echo portmap || echo masquerade)" >>"$DIR/lab.env"
      echo "LAB_NS_NAT_$i=$nat" >>"$DIR/lab.env"
      echo "LAB_PUBLIC_$i=$UNDERLAY.$((100 + i))" >>"$DIR/lab.env"
    else
      lab_plug "$ns" eth0 "ph$i" "$BRIDGE_NS"
      underlay="$UNDERLAY.$((10 + i))"
      ip -n "$ns" addr add "$underlay/24" dev eth0
    fi
    if [ -n "$rate" ]; then
      ip netns exec "$ns" tc qdisc add dev eth0 root tbf rate "$rate" burst 64kb latency 200ms
    fi
    {
      echo "LAB_NS_$i=$ns"
      echo "LAB_IP_$i=$(overlay_of "$i")"
      echo "LAB_UNDERLAY_$i=$underlay"
    } >>"$DIR/lab.env"
  done

  log "nebula daemons"
  write_config "$DIR/lighthouse.yml" lighthouse true "$LIGHTHOUSE_INITIATING"
  start_nebula "$lh" lighthouse
  for ((i = 0; i < hosts; i++)); do
    write_config "$DIR/h$i.yml" "h$i" false "${initiating[$i]}"
    start_nebula "$prefix-h$i" "h$i"
  done
  wait_overlay "$lh" "$(overlay_of lighthouse)" lighthouse
  for ((i = 0; i < hosts; i++)); do wait_overlay "$prefix-h$i" "$(overlay_of "$i")" "h$i"; done
  echo "LAB_PIDS=\"$(cut -d' ' -f1 "$DIR/pids" | tr '\n' ' ')\"" >>"$DIR/lab.env"
  log "up: $hosts hosts, nebula ${nebula_version:-?}, overlay $(overlay_net), lighthouse $(overlay_of lighthouse)"
  trap - EXIT INT TERM
}

# How hosts a and b reached each other, from their nebula logs: the last
# completed handshake (a line naming the peer's certificate) of each side; a
# handshake carried by a relay has "relay=" or no UDP address ("<nil>") in
# nebula 1.6, "(relayed)" after its source address in 1.10+. The peer is
# "vpnIp=<ip>" in 1.6 and "vpnAddrs=[<ip> ...]" in 1.10+.
# Prints "relayed", "direct" or "none" (no tunnel between them).
last_handshake() {  # last_handshake <log> <peer overlay ip>
  local ip=${2//./\\.}
  grep -E "msg=\"Handshake message (received|sent)\" " "$1" 2>/dev/null | grep -E "certName=" |
    grep -E "vpnIp=$ip( |\$)|vpnAddrs=\[([^]]* )?$ip( [^]]*)?\]" | tail -n 1
}

lab_value() { sed -n "s/^$2=//p" "$1/lab.env" | head -n 1; }  # lab_value <dir> <key>

path_between() {  # path_between <dir> <a> <b>
  local ab ba
  ab=$(last_handshake "$1/h$2.log" "$(lab_value "$1" "LAB_IP_$3")")
  ba=$(last_handshake "$1/h$3.log" "$(lab_value "$1" "LAB_IP_$2")")
  if [ -z "$ab$ba" ]; then
    echo none
  elif grep -q -E 'relay=|udpAddr="<nil>"|\(relayed\)' <<<"$ab$ba"; then
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
