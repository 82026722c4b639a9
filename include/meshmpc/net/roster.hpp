#pragma once
// Who takes part in a session: one PartyInfo per party, in id order, the session
// id and the secret every link's handshake must prove knowledge of. Transports
// fill in what they discover (endpoints); the identity string is what a plugin
// checks (a Tailscale node name, a Nebula certificate name), empty for plain TCP;
// tls_fingerprint pins the party's TLS certificate (tls/context.hpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <optional>
#include <vector>

#include <meshmpc/net/tls/fingerprint.hpp>

namespace meshmpc::net {

using SessionId = std::array<std::byte, 16>;
// What the parties share and no one else knows (a random key from the local
// launcher, or a passphrase stretched by the CLI): every link's handshake proves
// knowledge of it (handshake.hpp). Never sent, never logged.
using SessionSecret = std::array<std::byte, 32>;

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
};

struct PartyInfo {
  std::size_t id = 0;
  std::string name;
  std::vector<Endpoint> endpoints;
  std::string identity;
  std::optional<tls::Fingerprint> tls_fingerprint = std::nullopt;
};

// The handshake carries ids and n as 32-bit fields; far more parties than any
// Shamir session can use.
inline constexpr std::size_t kMaxParties = 1u << 16;

struct Roster {
  SessionId session_id{};
  // Without a secret, a handshake proves only knowledge of the session id.
  std::optional<SessionSecret> secret;
  std::vector<PartyInfo> parties;

  std::size_t size() const { return parties.size(); }
  // Throws RangeError naming the id and n when id >= size().
  const PartyInfo& party(std::size_t id) const;

  // Throws ConfigError naming the first fault: no parties, more than kMaxParties,
  // an id out of order, an empty or duplicate name, an endpoint with an empty host.
  void validate() const;
  // As validate(), and also every party has at least one endpoint with a non-zero
  // port: what a transport that dials needs.
  void validate_dialable() const;
};

// "party 2 (carol)": how every error message names a party.
std::string describe(const PartyInfo& party);
// "127.0.0.1:4000", "[::1]:4000", "alice.example:4000".
std::string to_string(const Endpoint& endpoint);

// A session id from text (e.g. a name agreed by the parties): its first 16 bytes,
// zero-padded. For random ids use a CSPRNG.
SessionId session_id_from_text(std::string_view text);

}  // namespace meshmpc::net
