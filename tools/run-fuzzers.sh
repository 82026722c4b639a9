#!/usr/bin/env bash
# Builds the libFuzzer targets (the fuzz preset: clang 14, ASan + UBSan, both
# fatal) and runs each for a bounded time, from a scratch copy of its committed
# seeds in fuzz/corpus/<target>/ so that the repository is not modified. Prints
# per target libFuzzer's executions per second and coverage (cov: edges, ft:
# features) and exits non-zero when any target finds a crash, leak, UB or timeout;
# the reproducer is then kept under build/fuzz/findings/<target>/.
#
#   tools/run-fuzzers.sh [seconds-per-target] [target ...]    (default 20 s, all)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true

./tools/install-deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

bin=build/fuzz/fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  # Every target this build has: a transport left out (MESHMPC_WITH_<NAME>=OFF) has none.
  for dir in fuzz/corpus/*/; do
    t=$(basename "$dir")
    if [ -x "$bin/${t}_fuzz" ]; then targets+=("$t"); else echo "$t: not built, skipped" >&2; fi
  done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/meshmpc-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Leaks are findings too (libFuzzer checks for them after inputs that allocate);
# UBSan already aborts (-fno-sanitize-recover=all), this keeps its stack readable.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# One target's run; its outcome in $work/$t.status. The targets run nproc at a
# time: each is one process, and the test command's budget is wall time.
fuzz_one() {
  local t=$1 corpus="$work/$1"
  mkdir -p "$corpus" "$work/findings-$t"
  cp fuzz/corpus/"$t"/* "$corpus"/
  # -timeout: one input taking a second is a hang for parsers of a few KiB;
  # -max_len: far above every seed, small enough that runs stay fast.
  if "$bin/${t}_fuzz" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
      -print_final_stats=1 -artifact_prefix="$work/findings-$t/" >"$work/$t.log" 2>&1; then
    echo ok >"$work/$t.status"
  else
    echo FAILED >"$work/$t.status"
  fi
}

parallel=$(nproc)
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  fuzz_one "$t" &
done
wait

failed=()
printf '%-20s %8s %7s %7s %7s\n' target exec/s cov ft corpus
for t in "${targets[@]}"; do
  corpus="$work/$t"
  log="$work/$t.log"
  status=$(cat "$work/$t.status" 2>/dev/null || echo FAILED)
  [ "$status" = ok ] || failed+=("$t")
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  size=$(find "$corpus" -type f | wc -l)
  printf '%-20s %8s %7s %7s %7s %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$size" "$status"
  if [ "$status" = FAILED ]; then
    mkdir -p build/fuzz/findings/"$t"
    cp -r "$work/findings-$t"/. build/fuzz/findings/"$t"/ 2>/dev/null || true
    cp "$log" build/fuzz/findings/"$t"/log.txt 2>/dev/null || true
    grep -E 'ERROR|runtime error|SUMMARY|fuzz property|Test unit written' "$log" | head -20 >&2
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "run-fuzzers: findings in: ${failed[*]} (reproducers and logs in build/fuzz/findings/)" >&2
  exit 1
fi
