#pragma once
// The session code check: every pair of the roster's n parties runs CPace
// (cpace.hpp) keyed by the session code, then each party proves to each peer that
// it holds the pair's key. A party whose proof fails does not know the code, or saw
// another roster, or is not the key the roster names: neither the rendezvous nor
// anyone else can put a key of its own into a roster without knowing the code.
//
// Per pair {i, j}, i < j in roster order (the draft's symmetric setting, because
// all parties broadcast at once and neither of a pair speaks first):
//   PRS = the normalised code text (session_code.hpp)
//   CI  = lv_cat("meshmpc rendezvous code check v1", roster hash, fp_i, fp_j)
//   sid = the roster hash
//   ADx = party x's fingerprint: known to both from the roster, so never sent; it
//         makes the two sides' AD distinct, as the draft asks of the symmetric setting
//   ISK = CPace's, over transcript_oc (so both sides compute the same)
// The identities go into CI in a fixed order (the draft's preferred place: they are
// then bound without a check the application could forget), and the roster hash into
// CI and sid, so the key also depends on the whole roster each side saw.
//
// Key confirmation (the draft's "Key confirmation" section): mac_key =
// SHA-512("CPaceMac" || sid || ISK), and party x's tag for y is
// HMAC-SHA-512/256(mac_key, lv_cat("meshmpc rendezvous confirm v1", fp_x, fp_y,
// roster hash, Y_xy)) with Y_xy x's CPace message to y. The ordered pair makes the
// two directions' tags differ: a tag reflected back to its maker does not verify.
//
// Wire form (two rounds, each one blob a party broadcasts; 1 + 32·n bytes):
//   round 1: 0x01, then per party k in roster order our CPace message to k
//            (32 bytes; the sender's own slot is 32 zero bytes)
//   round 2: 0x02, then per party k our tag for k (32 bytes; own slot zero)
// A party's blob is checked for its kind, its exact size for n and its zero slot
// before anything in it is used.
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <meshmpc/error.hpp>
#include <meshmpc/net/tls/fingerprint.hpp>
#include <meshmpc/rendezvous/cpace.hpp>

namespace meshmpc::rendezvous {

// Bounds the blobs (at most 1 + 32 · 1024 bytes, 44 KiB in base64) so that one fits
// a rendezvous message (64 KiB), and the n − 1 scalar multiplications per party.
inline constexpr std::size_t kCodeCheckMaxParties = 1024;
inline constexpr std::size_t kCodeCheckSlotBytes = 32;

// The size of every blob of a code check among n parties.
constexpr std::size_t code_check_blob_bytes(std::size_t n) { return 1 + kCodeCheckSlotBytes * n; }

// A code check that failed because of some parties: parties() are their roster
// indices (ascending), and what() names each one with its fingerprint.
class CodeCheckError : public PeerError {
 public:
  CodeCheckError(const std::string& what, std::vector<std::size_t> parties)
      : PeerError(what), parties_(std::move(parties)) {}
  const std::vector<std::size_t>& parties() const { return parties_; }

 private:
  std::vector<std::size_t> parties_;
};

// Pairwise CPace (ristretto255, SHA-512; draft-irtf-cfrg-cpace) among the n parties
// of a fixed roster, keyed by the session code and bound to the roster hash and the
// pair's two fingerprints; then key confirmation over the roster hash. Pure: no I/O.
class CodeCheck {
 public:
  // code: the normalised session code text (session_code.hpp); roster_hash: 32 bytes;
  // parties: fingerprints in roster order; self: our index. Throws ConfigError when
  // the code is not normalised, n is below 2 or above kCodeCheckMaxParties, self is
  // not below n, or two parties have one fingerprint.
  CodeCheck(std::string_view code, std::span<const std::byte, 32> roster_hash,
            std::span<const net::tls::Fingerprint> parties, std::size_t self);
  ~CodeCheck();
  // Holds secrets: moved (into an optional, a coroutine frame), never copied, and
  // never assigned over (the old scalars would not be wiped).
  CodeCheck(const CodeCheck&) = delete;
  CodeCheck& operator=(const CodeCheck&) = delete;
  CodeCheck(CodeCheck&&) = default;
  CodeCheck& operator=(CodeCheck&&) = delete;

  std::size_t size() const { return parties_.size(); }

  // Round 1: one blob to broadcast (our CPace message for every peer).
  std::vector<std::byte> first_message() const;
  // Round 2: given every party's round-1 blob (index = party; ours included or
  // empty: it is not read), our key-confirmation blob to broadcast. Throws
  // CodeCheckError naming every party whose blob is malformed (kind, size, a
  // non-empty own slot, a message for us that is not a group element or is our own
  // sent back); RangeError when `first` does not hold n blobs. Once only.
  std::vector<std::byte> second_message(const std::vector<std::vector<std::byte>>& first);
  // Checks every peer's confirmation meant for us (index = party; ours is not read).
  // Throws CodeCheckError that names every party whose blob is malformed or whose
  // confirmation fails ("… does not know the session code, or the roster it saw
  // differs"); RangeError when `second` does not hold n blobs; Error before
  // second_message.
  void check(const std::vector<std::vector<std::byte>>& second) const;

 private:
  std::string describe(std::size_t party) const;
  std::vector<std::byte> tag(std::size_t from, std::size_t to, const cpace::Point& message) const;

  std::string code_;
  std::array<std::byte, 32> roster_hash_{};
  std::vector<net::tls::Fingerprint> parties_;
  std::size_t self_ = 0;
  // Per peer k: our secret scalar, our message to k, and after round 1 the pair's
  // confirmation key and k's message to us. Scalars and keys are wiped.
  std::vector<cpace::Scalar> scalars_;
  std::vector<cpace::Point> ours_;
  std::vector<cpace::Point> theirs_;
  std::vector<cpace::Isk> mac_keys_;
  bool confirmed_ = false;
};

}  // namespace meshmpc::rendezvous
