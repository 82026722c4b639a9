#include <meshmpc/cli/session_secret.hpp>

#include <sodium.h>

#include <meshmpc/error.hpp>
#include <meshmpc/hex.hpp>

namespace meshmpc::cli {

net::SessionSecret random_session_secret() {
  net::SessionSecret secret{};
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::string session_secret_to_hex(const net::SessionSecret& secret) { return to_hex(secret); }

net::SessionSecret session_secret_from_hex(std::string_view hex, std::string_view where) {
  net::SessionSecret secret{};
  std::size_t length = 0;
  const char* end = nullptr;
  if (hex.size() != 2 * secret.size() ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(secret.data()), secret.size(), hex.data(), hex.size(), nullptr,
                     &length, &end) != 0 ||
      length != secret.size() || end != hex.data() + hex.size()) {
    throw ConfigError(std::string(where) + ": expected " + std::to_string(2 * secret.size()) +
                      " hex digits (the local launcher's session key)");
  }
  return secret;
}

net::SessionSecret stretch_passphrase(std::string_view passphrase, const net::SessionId& session_id) {
  static_assert(sizeof(net::SessionId) == crypto_pwhash_SALTBYTES);
  if (sodium_init() < 0) throw Error("libsodium failed to initialise");
  net::SessionSecret secret{};
  if (crypto_pwhash(reinterpret_cast<unsigned char*>(secret.data()), secret.size(), passphrase.data(),
                    passphrase.size(), reinterpret_cast<const unsigned char*>(session_id.data()),
                    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error("stretching the session secret failed: Argon2id needs " +
                std::to_string(crypto_pwhash_MEMLIMIT_INTERACTIVE >> 20) + " MiB of memory");
  }
  return secret;
}

std::optional<net::SessionSecret> session_secret(const RunOptions& options, const net::SessionId& session_id) {
  if (options.session_key) return options.session_key;
  if (options.session_passphrase) return stretch_passphrase(*options.session_passphrase, session_id);
  return std::nullopt;
}

void protect_session(const RunOptions& options, PartySetup& setup, spdlog::logger& log) {
  setup.roster.secret = session_secret(options, setup.roster.session_id);
  if (setup.roster.secret || options.ssl || options.transport != "tcp" || setup.roster.size() < 2) return;
  log.warn("no session secret and no TLS: anyone who can reach this party's port and knows the session id ({}) "
           "can take a party's place; give every party the same --session-secret-file, or use --ssl "
           "(docs/security.md)",
           options.session_id ? "given by --session-id" : "the program's name, '" + options.program + "'");
}

}  // namespace meshmpc::cli
