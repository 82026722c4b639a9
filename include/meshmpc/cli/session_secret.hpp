#pragma once
// The session secret: what every link's handshake proves knowledge of
// (net/handshake.hpp), so that someone who merely reaches a party's port cannot
// take a party's place. Where it comes from (docs/security.md):
//   - a local launch (-M N) makes a fresh random one and hands it to its children
//     in their environment ($MESHMPC_SESSION_KEY), never on a command line, which
//     `ps` shows to every user of the machine;
//   - across hosts, a passphrase every party is given: --session-secret-file FILE
//     (its first line), $MESHMPC_SESSION_SECRET, or --session-secret TEXT (visible
//     in `ps`), stretched with Argon2id (libsodium's crypto_pwhash) and salted
//     with the session id, so a guessed passphrase costs an attacker real work.
// With TLS or an overlay (Tailscale, Nebula) the authenticated identity decides
// who is a party; the secret, when given, is checked as well.
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include <meshmpc/cli/options.hpp>
#include <meshmpc/cli/transport_plugin.hpp>
#include <meshmpc/net/roster.hpp>

namespace meshmpc::cli {

// The launcher's key for its children: 64 hex digits, read and removed at parse.
inline constexpr const char* kSessionKeyVariable = "MESHMPC_SESSION_KEY";
// A passphrase from the environment, as --session-secret.
inline constexpr const char* kSessionSecretVariable = "MESHMPC_SESSION_SECRET";

net::SessionSecret random_session_secret();
std::string session_secret_to_hex(const net::SessionSecret& secret);
// Throws ConfigError naming `where` unless `hex` is 64 hex digits.
net::SessionSecret session_secret_from_hex(std::string_view hex, std::string_view where);

// Argon2id with libsodium's interactive limits (64 MiB, ~0.1–0.5 s), salted with
// the session id: every party derives the same secret from the same passphrase.
net::SessionSecret stretch_passphrase(std::string_view passphrase, const net::SessionId& session_id);

// The secret these options give for the session `session_id`: the launcher's key,
// else the stretched passphrase, else none.
std::optional<net::SessionSecret> session_secret(const RunOptions& options, const net::SessionId& session_id);

// After set-up: puts the secret into the roster, and says plainly when nothing but
// the session id keeps a stranger from taking a party's place (plain TCP among
// several hosts' worth of parties without TLS and without a secret).
void protect_session(const RunOptions& options, PartySetup& setup, spdlog::logger& log);

}  // namespace meshmpc::cli
