#pragma once
// The roster of a rendezvous session as every party hashes and signs it
// (docs/discovery.md, steps 2 and 3). The rendezvous sends the entries; each party
// encodes them in one fixed way, hashes the encoding, signs the hash with its TLS
// key and checks every other party's signature over *its own* hash: parties that
// were shown different rosters cannot both verify. Per-field digests travel beside
// the signature only to say what differs when a signature fails; they are never
// trusted for anything else.
//
// Encoding (every string and byte string length-prefixed, 4 bytes big-endian):
//   "meshmpc rendezvous roster v1", the session name, n (4 bytes), then per party
//   in roster order: its certificate's fingerprint (32 bytes), its name, its
//   endpoint count (4 bytes) and each endpoint as text, its reflexive address as
//   text ("" when none).
#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <meshmpc/net/roster.hpp>
#include <meshmpc/net/tls/fingerprint.hpp>

namespace meshmpc::rendezvous {

using RosterHash = std::array<std::byte, 32>;

struct RosterEntry {
  std::string name;
  std::string certificate_pem;
  net::tls::Fingerprint fingerprint{};  // of certificate_pem, computed by us
  std::vector<net::Endpoint> endpoints;
  std::optional<net::Endpoint> reflexive;
};

struct RosterDocument {
  std::string session;
  std::vector<RosterEntry> parties;  // in roster order: ascending fingerprints
};

// The fields of one entry a digest is kept for, in this order.
inline constexpr std::array<std::string_view, 4> kRosterFields{"key", "name", "endpoints", "reflexive address"};
// 8 bytes per field (a hint for messages, not a commitment): 4 fields per entry.
using FieldDigests = std::array<std::array<std::byte, 8>, kRosterFields.size()>;

std::vector<std::byte> encode(const RosterDocument& roster);
RosterHash roster_hash(const RosterDocument& roster);
// Per entry, the digests of its fields; and of the header (session name and n).
std::vector<FieldDigests> field_digests(const RosterDocument& roster);
std::array<std::byte, 8> header_digest(const RosterDocument& roster);

// What differs between our roster and the one a peer hashed, from the peer's
// digests: "the session name or the party count", "party 2's endpoints", ... ;
// "" when the digests agree (then the signature itself is wrong).
std::string describe_difference(const RosterDocument& ours, const std::array<std::byte, 8>& their_header,
                                const std::vector<FieldDigests>& theirs);

// A signature over the roster hash (domain-separated) with a PKCS#8 PEM key
// (Ed25519 or P-256, as meshmpc-keygen makes). Throws ConfigError for an unusable key.
std::vector<std::byte> sign_roster(const RosterHash& hash, std::string_view key_pem);
// True when `signature` is the holder of `certificate_pem`'s key signing `hash`.
bool verify_roster(const RosterHash& hash, std::span<const std::byte> signature, std::string_view certificate_pem);

}  // namespace meshmpc::rendezvous
