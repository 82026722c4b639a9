#include "security_options.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include <meshmpc/cli/session_secret.hpp>
#include <meshmpc/cli/transport_plugin.hpp>
#include <meshmpc/error.hpp>

#include "option_values.hpp"
#include "tls_files.hpp"

namespace meshmpc::cli {

namespace po = boost::program_options;

void read_session_secret(const po::variables_map& vm, RunOptions& o) {
  const auto file = string_if_given(vm, "session-secret-file");
  const auto text = string_if_given(vm, "session-secret");
  if (file && text) throw ConfigError("--session-secret-file and --session-secret: give only one of them");
  if (file) {
    std::ifstream in(*file);
    if (!in) throw ConfigError("--session-secret-file '" + *file + "': cannot read it (" + std::strerror(errno) + ")");
    std::string line(kMaxPassphrase + 1, '\0');
    in.read(line.data(), static_cast<std::streamsize>(line.size()));
    line.resize(static_cast<std::size_t>(in.gcount()));
    line = line.substr(0, line.find_first_of("\r\n"));
    if (line.size() > kMaxPassphrase) {
      throw ConfigError("--session-secret-file '" + *file + "': the passphrase is longer than " +
                        std::to_string(kMaxPassphrase) + " bytes");
    }
    if (line.empty()) throw ConfigError("--session-secret-file '" + *file + "': the first line is empty");
    o.session_passphrase = line;
  } else if (text) {
    if (text->empty()) throw ConfigError("--session-secret: the passphrase is empty");
    o.session_passphrase = *text;
  } else if (const char* env = std::getenv(kSessionSecretVariable); env && *env) {
    o.session_passphrase = std::string(env);
  }
  // The launcher's key is for this process alone: a program it starts in turn
  // must not inherit it.
  if (const char* key = std::getenv(kSessionKeyVariable)) {
    const std::string hex(key);
    ::unsetenv(kSessionKeyVariable);
    o.session_key = session_secret_from_hex(hex, std::string("$") + kSessionKeyVariable);
  }
}

void check_security(const po::variables_map& vm, RunOptions& o, const net::Roster& roster) {
  o.ssl = vm["ssl"].as<bool>();
  o.insecure_plaintext = vm["insecure-plaintext"].as<bool>();
  o.ssl_key = string_or_empty(vm, "ssl-key");
  o.ssl_cert = string_or_empty(vm, "ssl-cert");
  o.ssl_ca = string_or_empty(vm, "ssl-ca");
  const bool pinned = std::any_of(o.addresses.begin(), o.addresses.end(),
                                  [](const net::PartyInfo& party) { return party.tls_fingerprint.has_value(); });
  if (!o.ssl && (pinned || !o.ssl_key.empty() || !o.ssl_cert.empty() || !o.ssl_ca.empty())) {
    o.ssl = true;  // a pinned fingerprint or a key file says TLS as clearly as --ssl
  }
  if (o.ssl && o.insecure_plaintext) {
    throw ConfigError("--insecure-plaintext contradicts TLS (--ssl, a fingerprint in the roster, or a key file): "
                      "give only one of them");
  }
  const TransportPlugin* const plugin = find_transport_plugin(o.transport);
  const bool plugin_tls = plugin && plugin->uses_tls_keys();
  if (plugin_tls) {
    if (!o.ssl_ca.empty() || o.insecure_plaintext) {
      throw ConfigError("the " + o.transport + " transport pins every party's key by the signed roster: "
                        "--ssl-ca and --insecure-plaintext do not apply");
    }
    if (o.ssl_key.empty() != o.ssl_cert.empty()) {
      throw ConfigError("--ssl-key and --ssl-cert go together (the key and certificate meshmpc-keygen made); "
                        "give both, or neither for a fresh key for this run");
    }
    o.ssl = false;  // the plugin runs TLS itself
    return;
  }
  if (o.ssl && o.transport != "tcp") {
    throw ConfigError("--ssl applies to --transport tcp; the " + o.transport +
                      " transport already encrypts and authenticates every link");
  }
  if (o.parties == 1) return;
  if (o.local_launch() && (!o.ssl_key.empty() || !o.ssl_cert.empty())) {
    throw ConfigError("--ssl-key/--ssl-cert name one party's files, but -M " + std::to_string(o.parties) +
                      " starts every party here: leave them out (each party gets a fresh key for this run), "
                      "or give --ssl-ca to use each party's CA-issued .config/party_<i>.key and .crt");
  }
  if (!o.ssl && !o.insecure_plaintext && o.transport == "tcp") {
    for (const net::PartyInfo& party : roster.parties) {
      for (const net::Endpoint& endpoint : party.endpoints) {
        if (is_loopback_host(endpoint.host)) continue;
        throw ConfigError(net::describe(party) + " at " + net::to_string(endpoint) +
                          " is not on this machine, and without TLS every share and key would cross the network "
                          "in clear: give every party --ssl (with keys from meshmpc-keygen and the fingerprints "
                          "it prints in -P), or use --transport tailscale or --transport nebula; "
                          "--insecure-plaintext allows it on a network you trust");
      }
    }
  }
  // A party that knows its index checks its files now: a bad key is exit 2,
  // before anything starts. A local launch makes fresh keys (launcher.hpp).
  if (o.ssl && o.index && !o.local_launch()) {
    const TlsFiles files = tls_files(o, roster, *o.index);
    const net::tls::Context context(load_tls(files));
    net::tls::check_roster(context, roster, *o.index);
  }
}

}  // namespace meshmpc::cli
