#!/usr/bin/env bash
# fetch-nebula.sh: a current nebula (1.10+, v2 certificates, IPv6 overlays) for
# the tests and the lab, beside Debian 12's 1.6.1. Debian sid's `nebula` package
# is a static Go build that runs on Debian 12; it is fetched with apt from a
# source list kept in build/nebula-sid/ (never in /etc/apt, so the system's
# packages are untouched) and unpacked into build/nebula-sid/root/.
#
# The .deb is accepted only if it came through Debian's signed index: the
# InRelease file must verify with the Debian archive keyring (gpgv) and the
# .deb's SHA-256 must be the one the Packages index (covered by InRelease)
# lists. apt checks both itself; checking again here means a changed apt
# option (say, allow-insecure in some apt.conf.d) cannot slip past silently.
#
# Prints one line: the version it has, or why it has none. Exits 0 either way,
# so the test command goes on; tests that need 1.10+ then skip with a reason.
# Idempotent: nothing is fetched when the unpacked nebula is already 1.10+.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 0
DIR=$PWD/build/nebula-sid
BIN=$DIR/root/usr/bin
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
MIN_VERSION=1.10

say() { echo "fetch-nebula: $*"; }
# The one line for "no nebula 1.10+"; exit 0 on purpose (see above).
give_up() { say "no nebula $MIN_VERSION+ ($*); the tests that need it will skip"; exit 0; }

# "1.11.0" from `nebula -version` ("Version: 1.11.0"), or nothing.
version_of() { "$1" -version 2>/dev/null | sed -n 's/^Version: *\([0-9][0-9.]*\).*/\1/p' | head -n 1; }
recent_enough() { [ -n "$1" ] && dpkg --compare-versions "$1" ge "$MIN_VERSION"; }

have=$(version_of "$BIN/nebula")
if recent_enough "$have" && [ -x "$BIN/nebula-cert" ]; then
  say "nebula $have in $BIN (already there)"
  exit 0
fi

for tool in apt-get apt-cache dpkg-deb gpgv sha256sum; do
  command -v "$tool" >/dev/null || give_up "$tool is not installed"
done
[ -r "$KEYRING" ] || give_up "no Debian archive keyring at $KEYRING (apt-get install debian-archive-keyring)"

mkdir -p "$DIR/src" "$DIR/lists/partial" "$DIR/cache/archives/partial" "$DIR/download" || give_up "cannot create $DIR"
cat >"$DIR/src/sid.sources" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: sid
Components: main
Signed-By: $KEYRING
EOF
# Everything apt keeps for this source stays in $DIR: the source list, the
# downloaded indexes and the package cache. The sandbox user is root because
# _apt may not write into the build tree.
apt_opts=(
  -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$DIR/src"
  -o "Dir::State::Lists=$DIR/lists" -o "Dir::Cache=$DIR/cache"
  -o "APT::Sandbox::User=root" -o "Acquire::AllowInsecureRepositories=false"
)
log=$DIR/fetch.log
: >"$log"
# Bounded: apt's own timeouts per connection, and the whole step at 5 minutes.
timeout 300 apt-get "${apt_opts[@]}" -o Acquire::http::Timeout=30 -q update >>"$log" 2>&1 ||
  give_up "apt-get update of Debian sid failed, see $log: $(grep -E '^(E|Err|W):' "$log" | head -n 1)"

# The index apt fetched must carry a valid Debian signature.
inrelease=$(find "$DIR/lists" -maxdepth 1 -name '*_dists_sid_InRelease' | head -n 1)
[ -n "$inrelease" ] || give_up "apt kept no signed InRelease for sid in $DIR/lists"
gpgv --keyring "$KEYRING" "$inrelease" >>"$log" 2>&1 ||
  give_up "the InRelease of sid does not verify with $KEYRING (see $log)"

# The SHA-256 the signed index gives for the package apt will download.
candidate=$(apt-cache "${apt_opts[@]}" policy nebula 2>>"$log" | sed -n 's/^ *Candidate: *//p')
[ -n "$candidate" ] && [ "$candidate" != "(none)" ] || give_up "Debian sid's index has no nebula package"
expected_sha=$(apt-cache "${apt_opts[@]}" show "nebula=$candidate" 2>>"$log" | sed -n 's/^SHA256: *//p' | head -n 1)
[ -n "$expected_sha" ] || give_up "the index gives no SHA-256 for nebula $candidate"

rm -f "$DIR"/download/nebula_*.deb
(cd "$DIR/download" && timeout 300 apt-get "${apt_opts[@]}" -o Acquire::http::Timeout=30 -q download "nebula=$candidate") \
  >>"$log" 2>&1 || give_up "apt-get download nebula=$candidate failed, see $log"
deb=$(find "$DIR/download" -maxdepth 1 -name 'nebula_*.deb' | head -n 1)
[ -n "$deb" ] || give_up "apt-get download left no nebula_*.deb in $DIR/download"
actual_sha=$(sha256sum "$deb" | cut -d' ' -f1)
[ "$actual_sha" = "$expected_sha" ] ||
  give_up "$(basename "$deb") has SHA-256 $actual_sha, the signed index says $expected_sha"

# Unpacked afresh so that no file of an older unpack lingers.
rm -rf "$DIR/root"
dpkg-deb -x "$deb" "$DIR/root" >>"$log" 2>&1 || give_up "dpkg-deb -x $(basename "$deb") failed, see $log"
have=$(version_of "$BIN/nebula")
recent_enough "$have" || give_up "the unpacked $BIN/nebula prints version '${have:-nothing}', not $MIN_VERSION+"
[ -x "$BIN/nebula-cert" ] || give_up "the package has no usr/bin/nebula-cert"
say "nebula $have in $BIN (Debian sid $candidate, signature and SHA-256 checked)"
exit 0
