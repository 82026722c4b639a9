#include <meshmpc/rendezvous/code_check.hpp>

#include <sodium.h>

#include <algorithm>
#include <set>
#include <string>

#include <meshmpc/rendezvous/session_code.hpp>

namespace meshmpc::rendezvous {

static_assert(kCodeCheckSlotBytes == cpace::kPointBytes);
static_assert(kCodeCheckSlotBytes == crypto_auth_hmacsha512256_BYTES);

namespace {

constexpr std::byte kFirstKind{0x01};
constexpr std::byte kSecondKind{0x02};
constexpr std::string_view kCiLabel = "meshmpc rendezvous code check v1";
constexpr std::string_view kConfirmLabel = "meshmpc rendezvous confirm v1";
// The draft's mac_key = H.hash(b"CPaceMac" || sid || ISK).
constexpr std::string_view kMacLabel = "CPaceMac";

std::span<const std::byte> bytes_of(std::string_view text) { return std::as_bytes(std::span(text)); }

const unsigned char* u8(std::span<const std::byte> bytes) {
  return reinterpret_cast<const unsigned char*>(bytes.data());
}

// Party k's slot of a blob whose size was checked.
std::span<const std::byte> slot(std::span<const std::byte> blob, std::size_t k) {
  return blob.subspan(1 + k * kCodeCheckSlotBytes, kCodeCheckSlotBytes);
}

std::vector<std::byte> make_blob(std::byte kind, std::size_t n) {
  std::vector<std::byte> blob(code_check_blob_bytes(n), std::byte{0});
  blob[0] = kind;
  return blob;
}

std::string hex_byte(std::byte b) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  const auto v = static_cast<unsigned>(b);
  return std::string("0x") + kDigits[v >> 4] + kDigits[v & 0xfU];
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " and " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

CodeCheck::CodeCheck(std::string_view code, std::span<const std::byte, 32> roster_hash,
                     std::span<const net::tls::Fingerprint> parties, std::size_t self)
    : code_(code), parties_(parties.begin(), parties.end()), self_(self) {
  if (sodium_init() < 0) throw Error("libsodium could not be initialised");
  // A code typed differently by two parties must not look like a wrong code. The
  // code is a secret while the session lasts: this message does not repeat it.
  bool normalised = false;
  try {
    normalised = normalise_session_code(code, "session code check") == code;
  } catch (const ConfigError&) {
  }
  if (!normalised)
    throw ConfigError("session code check: the code is not a session code in its normalised form "
                      "(normalise_session_code)");
  const std::size_t n = parties_.size();
  if (n < 2 || n > kCodeCheckMaxParties)
    throw ConfigError("session code check: " + std::to_string(n) + " parties, it needs 2 to " +
                      std::to_string(kCodeCheckMaxParties));
  if (self >= n)
    throw ConfigError("session code check: our index " + std::to_string(self) + " is not below n = " +
                      std::to_string(n));
  if (std::set<net::tls::Fingerprint>(parties_.begin(), parties_.end()).size() != n)
    throw ConfigError("session code check: two parties of the roster have one fingerprint");
  std::copy(roster_hash.begin(), roster_hash.end(), roster_hash_.begin());

  scalars_.resize(n);
  ours_.resize(n);
  theirs_.resize(n);
  mac_keys_.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    if (k == self_) continue;
    const std::size_t low = std::min(k, self_);
    const std::size_t high = std::max(k, self_);
    const std::vector<std::byte> ci = cpace::lv_cat({bytes_of(kCiLabel), roster_hash_, parties_[low], parties_[high]});
    scalars_[k] = cpace::sample_scalar();
    ours_[k] = cpace::scalar_mult(scalars_[k], cpace::calculate_generator(bytes_of(code_), ci, roster_hash_));
  }
}

CodeCheck::~CodeCheck() {
  sodium_memzero(scalars_.data(), scalars_.size() * sizeof(cpace::Scalar));
  sodium_memzero(mac_keys_.data(), mac_keys_.size() * sizeof(cpace::Isk));
  sodium_memzero(code_.data(), code_.size());
}

std::string CodeCheck::describe(std::size_t party) const {
  return "party " + std::to_string(party) + " (" + net::tls::format_fingerprint(parties_[party]) + ")";
}

std::vector<std::byte> CodeCheck::first_message() const {
  std::vector<std::byte> blob = make_blob(kFirstKind, size());
  for (std::size_t k = 0; k < size(); ++k) {
    if (k == self_) continue;
    std::copy(ours_[k].begin(), ours_[k].end(), blob.begin() + static_cast<std::ptrdiff_t>(1 + k * kCodeCheckSlotBytes));
  }
  return blob;
}

namespace {

// What is wrong with the form of party k's blob ("" when nothing): kind, exact
// size, and the sender's own slot, which must be zero.
std::string form_fault(std::span<const std::byte> blob, std::byte kind, std::size_t n, std::size_t k,
                       std::string_view round) {
  const std::size_t expected = code_check_blob_bytes(n);
  if (blob.size() != expected)
    return "its " + std::string(round) + " is " + std::to_string(blob.size()) + " bytes, not " +
           std::to_string(expected) + " (1 + 32 × " + std::to_string(n) + ")";
  if (blob[0] != kind)
    return "its " + std::string(round) + " starts with " + hex_byte(blob[0]) + ", not " + hex_byte(kind);
  const auto own = slot(blob, k);
  if (sodium_is_zero(u8(own), own.size()) == 0)
    return "its " + std::string(round) + " has a non-zero slot for itself";
  return {};
}

}  // namespace

std::vector<std::byte> CodeCheck::tag(std::size_t from, std::size_t to, const cpace::Point& message) const {
  const std::size_t peer = from == self_ ? to : from;
  const std::vector<std::byte> text =
      cpace::lv_cat({bytes_of(kConfirmLabel), parties_[from], parties_[to], roster_hash_, message});
  crypto_auth_hmacsha512256_state state;
  crypto_auth_hmacsha512256_init(&state, u8(mac_keys_[peer]), mac_keys_[peer].size());
  crypto_auth_hmacsha512256_update(&state, u8(text), text.size());
  std::vector<std::byte> out(crypto_auth_hmacsha512256_BYTES);
  crypto_auth_hmacsha512256_final(&state, reinterpret_cast<unsigned char*>(out.data()));
  sodium_memzero(&state, sizeof state);
  return out;
}

std::vector<std::byte> CodeCheck::second_message(const std::vector<std::vector<std::byte>>& first) {
  const std::size_t n = size();
  if (first.size() != n)
    throw RangeError("session code check: " + std::to_string(first.size()) + " round-1 blobs for " +
                     std::to_string(n) + " parties");
  if (confirmed_) throw Error("session code check: second_message called twice");

  std::vector<std::size_t> bad;
  std::vector<std::string> faults;
  for (std::size_t k = 0; k < n; ++k) {
    if (k == self_) continue;
    std::string fault = form_fault(first[k], kFirstKind, n, k, "CPace message");
    if (fault.empty()) {
      const auto message = slot(first[k], self_);
      if (std::equal(message.begin(), message.end(), ours_[k].begin())) {
        fault = "it sent back our own CPace message";
      } else {
        auto isk = cpace::derive_isk_symmetric(scalars_[k], roster_hash_, ours_[k], parties_[self_], message,
                                                     parties_[k]);
        if (!isk) {
          fault = "its CPace message for us is not a ristretto255 group element (or is the identity)";
        } else {
          std::copy(message.begin(), message.end(), theirs_[k].begin());
          const auto label = bytes_of(kMacLabel);
          std::vector<std::byte> key_input(label.begin(), label.end());
          key_input.insert(key_input.end(), roster_hash_.begin(), roster_hash_.end());
          key_input.insert(key_input.end(), isk->begin(), isk->end());
          crypto_hash_sha512(reinterpret_cast<unsigned char*>(mac_keys_[k].data()), u8(key_input), key_input.size());
          sodium_memzero(key_input.data(), key_input.size());
          sodium_memzero(isk->data(), isk->size());
        }
      }
    }
    if (!fault.empty()) {
      bad.push_back(k);
      faults.push_back(describe(k) + ": " + fault);
    }
  }
  // The scalars are spent: a second run would reuse them (the draft forbids it).
  sodium_memzero(scalars_.data(), scalars_.size() * sizeof(cpace::Scalar));
  confirmed_ = true;
  if (!bad.empty()) {
    std::string what = "session code check: ";
    for (std::size_t i = 0; i < faults.size(); ++i) what += (i > 0 ? "; " : "") + faults[i];
    throw CodeCheckError(what, bad);
  }

  std::vector<std::byte> blob = make_blob(kSecondKind, n);
  for (std::size_t k = 0; k < n; ++k) {
    if (k == self_) continue;
    const auto t = tag(self_, k, ours_[k]);
    std::copy(t.begin(), t.end(), blob.begin() + static_cast<std::ptrdiff_t>(1 + k * kCodeCheckSlotBytes));
  }
  return blob;
}

void CodeCheck::check(const std::vector<std::vector<std::byte>>& second) const {
  const std::size_t n = size();
  if (second.size() != n)
    throw RangeError("session code check: " + std::to_string(second.size()) + " round-2 blobs for " +
                     std::to_string(n) + " parties");
  if (!confirmed_) throw Error("session code check: check called before second_message");

  std::vector<std::size_t> bad;
  std::vector<std::string> malformed;
  std::vector<std::string> unconfirmed;
  for (std::size_t k = 0; k < n; ++k) {
    if (k == self_) continue;
    const std::string fault = form_fault(second[k], kSecondKind, n, k, "confirmation");
    if (!fault.empty()) {
      bad.push_back(k);
      malformed.push_back(describe(k) + ": " + fault);
      continue;
    }
    const auto expected = tag(k, self_, theirs_[k]);
    if (crypto_verify_32(u8(slot(second[k], self_)), u8(expected)) != 0) {
      bad.push_back(k);
      unconfirmed.push_back(describe(k));
    }
  }
  if (bad.empty()) return;
  std::string what = "session code check failed: ";
  if (!unconfirmed.empty()) {
    what += join_names(unconfirmed) +
            (unconfirmed.size() == 1 ? " does not know the session code, or the roster it saw differs"
                                     : " do not know the session code, or the rosters they saw differ");
  }
  for (std::size_t i = 0; i < malformed.size(); ++i)
    what += ((i > 0 || !unconfirmed.empty()) ? "; " : "") + malformed[i];
  throw CodeCheckError(what, bad);
}

}  // namespace meshmpc::rendezvous
