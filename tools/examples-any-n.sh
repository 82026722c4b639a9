#!/usr/bin/env bash
# Every example with default options for each group size from 2 to 31 parties
# (local launch, TCP loopback): the opened result is checked against the plain
# computation of the same function, and each run's wall time is printed.
# n = 2 runs with -T 0 (the only threshold two parties can have; it hides nothing).
# Usage: tools/examples-any-n.sh [build dir, default build/release] [first n] [last n]
set -euo pipefail
dir="${1:-build/release}/examples"
first="${2:-2}"
last="${3:-31}"
fail=0

# n values for party i: a deterministic spread with a tie for the top at the
# largest 32-bit value.
values() {
  local n=$1 top=2147483647 out="" i
  for ((i = 0; i < n; i++)); do
    local v=$(((i * 7919 + 13) % 100003))
    ((i == 1 || i == n - 1)) && v=$top
    out+="${out:+,}$v"
  done
  echo "$out"
}

check() {  # name, expected JSON, command...
  local name=$1 want=$2
  shift 2
  local started=$EPOCHREALTIME got took
  if ! got=$("$@" --json --log-level error 2>/dev/null | sed -n 1p); then got="(failed)"; fi
  took=$(awk "BEGIN { print $EPOCHREALTIME - $started }")
  if [[ "$got" == "$want" ]]; then
    printf '%-34s ok    %6.2f s\n' "$name" "$took"
  else
    printf '%-34s FAIL  got %s, want %s\n' "$name" "$got" "$want"
    fail=1
  fi
}

for ((n = first; n <= last; n++)); do
  t=()
  ((n == 2)) && t=(-T 0)
  bids=$(values "$n")
  # Party 1 holds the top value first and wins; the second price is the same top
  # (party n-1's tie), or with two parties party 0's bid.
  second=2147483647
  ((n == 2)) && second=13
  check "auction n=$n" "{\"winner\":1,\"price\":$second}" "$dir/auction" -M "$n" "${t[@]}" --bids "$bids"
  want_first='{"winner":1,"price":2147483647}'
  check "auction --first-price n=$n" "$want_first" "$dir/auction" -M "$n" "${t[@]}" --bids "$bids" --first-price
  check "millionaires n=$n" '{"richest":1}' "$dir/millionaires" -M "$n" "${t[@]}" --wealths "$bids"
  choices=""
  for ((i = 0; i < n; i++)); do choices+="${choices:+,}$((i % 3 == 0 ? 2 : i % 2))"; done
  tally=(0 0 0)
  for ((i = 0; i < n; i++)); do c=$((i % 3 == 0 ? 2 : i % 2)); tally[c]=$((tally[c] + 1)); done
  winner=0
  for c in 1 2; do ((tally[c] > tally[winner])) && winner=$c; done
  check "vote n=$n" "{\"tally\":[${tally[0]},${tally[1]},${tally[2]}]}" \
    "$dir/vote" -M "$n" "${t[@]}" --options 3 --choices "$choices"
  check "vote --winner-only n=$n" "{\"winner\":$winner}" \
    "$dir/vote" -M "$n" "${t[@]}" --options 3 --choices "$choices" --winner-only
  salaries=""
  total=0
  for ((i = 0; i < n; i++)); do s=$((40000 + i * 1000)); salaries+="${salaries:+,}$s"; total=$((total + s)); done
  got=$("$dir/salaries" -M "$n" "${t[@]}" --salaries "$salaries" --json --log-level error 2>/dev/null | sed -n 1p || true)
  if [[ "$got" == "{\"total\":$total,"* ]]; then printf '%-34s ok\n' "salaries n=$n"; else
    printf '%-34s FAIL  got %s\n' "salaries n=$n" "$got"; fail=1; fi
  # secretsanta: a derangement of 0..n-1, revealed.
  got=$("$dir/secretsanta" -M "$n" "${t[@]}" --reveal --json --log-level error 2>/dev/null | sed -n 1p || true)
  perm=$(echo "$got" | sed -n 's/.*"derangement":\[\([0-9,]*\)\].*/\1/p')
  ok=1
  IFS=, read -r -a p <<<"$perm"
  ((${#p[@]} == n)) || ok=0
  sorted=$(printf '%s\n' "${p[@]}" | sort -n | uniq | wc -l)
  ((sorted == n)) || ok=0
  for ((i = 0; i < ${#p[@]}; i++)); do ((p[i] != i)) || ok=0; done
  if ((ok)); then printf '%-34s ok\n' "secretsanta n=$n"; else printf '%-34s FAIL  got %s\n' "secretsanta n=$n" "$got"; fail=1; fi
done
exit $fail
