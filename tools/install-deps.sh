#!/usr/bin/env bash
# Installs the Debian 12 packages meshmpc builds with, only those that are missing.
# Boost 1.81 is named explicitly: Debian's default Boost (1.74) lacks Boost.JSON.
# clang-14 and libclang-rt-14-dev (libFuzzer and clang's sanitizer runtimes) are for
# the fuzz preset (tools/run-fuzzers.sh) only; lld links the sanitizer builds
# (about twice as fast as ld.bfd on their large executables).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libboost1.81-dev libboost-program-options1.81-dev libboost-json1.81-dev
  libntl-dev libgmp-dev libsodium-dev libssl-dev
  libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-dev nebula iproute2 nftables
  clang-14 libclang-rt-14-dev lld
)
# tools/bench-report.sh: plots (gnuplot) and the MPyC peer (Debian's python3 with
# gmpy2 and numpy; MPyC itself is the user's checkout, never installed).
if [ "${1:-}" = "--bench" ]; then
  packages+=(gnuplot-nox python3-numpy python3-gmpy2 time)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or install them with sudo apt-get install)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
