# shellcheck shell=bash
# lab-common.sh: shell helpers shared by the network-namespace labs
# (tools/nebula-lab.sh, tools/nat-lab.sh). Sourced, not run; the sourcing script
# sets LAB_TOOL (its name in messages) first.
#
# What a lab builds is recorded in its directory as it is built, so that
# teardown removes exactly that, whoever calls it and however "up" ended:
#   D/namespaces  one namespace name a line;
#   D/pids        "<pid> <start time>" a line: a process the lab started, in its
#                 own session (setsid) so that teardown reaches its children too.
#                 The start time (/proc/<pid>/stat field 22) tells a reused PID
#                 from ours: teardown signals only a PID whose start time matches.
# Every wait here is bounded.

lab_die() { echo "${LAB_TOOL:-lab}: $*" >&2; exit 1; }
lab_log() { [ -n "${LAB_QUIET:-}" ] || echo "${LAB_TOOL:-lab}: $*" >&2; }

lab_in_list() {  # lab_in_list <i> <comma list>
  local item items
  IFS=, read -ra items <<<"$2"
  for item in "${items[@]}"; do [ "$item" = "$1" ] && return 0; done
  return 1
}

# The start time of a process in clock ticks since boot, or nothing when there is
# no such process. Field 22 of /proc/<pid>/stat, counted after the ")" that ends
# the command name (which may itself hold spaces).
lab_start_time() {  # lab_start_time <pid>
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  # Fields from 3 (state) on: the start time is the 20th of them.
  awk '{ print $20 }' <<<"$stat"
}

# True while <pid> is still the process the lab recorded (same start time).
lab_is_ours() {  # lab_is_ours <pid> <start time>
  [ -n "$1" ] && [ -n "$2" ] && [ "$(lab_start_time "$1")" = "$2" ]
}

# Starts a command in the background inside namespace <ns> (empty: this one),
# in a session of its own, output to <log>; records it for lab_down. Sets
# LAB_STARTED_PID.
lab_start() {  # lab_start <dir> <ns> <log> command...
  local dir=$1 ns=$2 logfile=$3
  shift 3
  if [ -n "$ns" ]; then
    setsid ip netns exec "$ns" "$@" >"$logfile" 2>&1 </dev/null &
  else
    setsid "$@" >"$logfile" 2>&1 </dev/null &
  fi
  LAB_STARTED_PID=$!
  # The start time is fixed at fork: reading it after setsid/ip have exec'd the
  # command gives the same value. A process that is already gone has none.
  local started
  started=$(lab_start_time "$LAB_STARTED_PID")
  [ -z "$started" ] || echo "$LAB_STARTED_PID $started" >>"$dir/pids"
}

# Sends <signal> to each recorded process group that is still ours.
lab_signal_recorded() {  # lab_signal_recorded <dir> <signal>
  local pid started
  while read -r pid started; do
    if lab_is_ours "$pid" "$started"; then
      # The group (setsid made the process its leader), then the process itself
      # in case it left the group.
      kill "-$2" -- "-$pid" 2>/dev/null || true
      kill "-$2" "$pid" 2>/dev/null || true
    fi
  done <"$1/pids"
}

lab_any_alive() {  # lab_any_alive <dir>
  local pid started
  while read -r pid started; do
    if lab_is_ours "$pid" "$started"; then return 0; fi
  done <"$1/pids"
  return 1
}

# Stops the recorded processes (TERM, a bounded wait of 5 s, then KILL) and
# deletes the recorded namespaces. Safe to call twice, or on a half-built lab.
lab_down() {  # lab_down <dir>
  local dir=$1 ns
  [ -d "$dir" ] || return 0
  if [ -f "$dir/pids" ]; then
    lab_signal_recorded "$dir" TERM
    for _ in $(seq 50); do
      lab_any_alive "$dir" || break
      sleep 0.1
    done
    lab_signal_recorded "$dir" KILL
    rm -f "$dir/pids"
  fi
  if [ -f "$dir/namespaces" ]; then
    while read -r ns; do
      if [ -n "$ns" ]; then ip netns del "$ns" 2>/dev/null || true; fi
    done <"$dir/namespaces"
    rm -f "$dir/namespaces"
  fi
}

# Polls `command...` every 0.1 s until it succeeds; false after <seconds>.
lab_wait_until() {  # lab_wait_until <seconds> command...
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# -------- namespaces and links --------
lab_add_ns() {  # lab_add_ns <dir> <name>
  ip netns add "$2"
  echo "$2" >>"$1/namespaces"
  ip -n "$2" link set lo up
}

# No duplicate address detection: an IPv6 address is usable at once.
lab_no_dad() {  # lab_no_dad <ns>
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 2>/dev/null || true
}

# A namespace holding nothing but a bridge br0: a switch for a segment.
lab_add_bridge_ns() {  # lab_add_bridge_ns <dir> <name>
  lab_add_ns "$1" "$2"
  ip -n "$2" link add br0 type bridge
  ip -n "$2" link set br0 up
}

# A veth from namespace <ns> (as <ifname>) plugged into br0 of <bridge ns> (as <port>).
lab_plug() {  # lab_plug <ns> <ifname> <port name in bridge ns> <bridge ns>
  ip link add "$2" netns "$1" type veth peer name "$3" netns "$4"
  ip -n "$4" link set "$3" master br0 up
  ip -n "$1" link set "$2" up
}

# A veth between two namespaces, both ends up.
lab_link() {  # lab_link <ns a> <if a> <ns b> <if b>
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
}

# A NAT box: forwarding on, and nftables source NAT of everything leaving
# through <wan if> with <masquerade statement> ("masquerade", "masquerade random",
# "masquerade fully-random"). <unsolicited>: "rst" leaves an unsolicited inbound
# connection to the kernel (a SYN to the box's own public address, where nothing
# listens, is answered with a RST), "drop" drops every new inbound connection on
# the wan side, as home routers do. <extra>: more chains for the "ip nat" table
# (e.g. a port forward).
lab_nat_rules() {  # lab_nat_rules <ns> <wan if> <masquerade statement> <rst|drop> [extra chains]
  local ns=$1 wan=$2 masq=$3 unsolicited=$4 extra=${5:-}
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
  local rules="table ip nat {
  chain post { type nat hook postrouting priority 100; oifname \"$wan\" $masq; }"
  [ -z "$extra" ] || rules+="
  $extra"
  rules+="
}"
  if [ "$unsolicited" = drop ]; then
    # "ct state new" is a packet that starts a connection conntrack has not
    # seen: replies (including a peer's SYN that answers our own SYN to it, the
    # simultaneous open) are "established" and pass.
    rules+="
table inet filter {
  chain input { type filter hook input priority 0; iifname \"$wan\" ct state new drop; }
  chain forward { type filter hook forward priority 0; iifname \"$wan\" ct state new drop; }
}"
  fi
  ip netns exec "$ns" nft -f - <<<"$rules"
}
