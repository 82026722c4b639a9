#pragma once
// Which key, certificate and CA files a party uses under --ssl, and their
// contents, checked (not installed: the TCP plugin, the parser and the launcher
// share it).
#include <cstddef>
#include <string>

#include <meshmpc/cli/options.hpp>
#include <meshmpc/net/roster.hpp>
#include <meshmpc/net/tls/context.hpp>

namespace meshmpc::cli {

// Where keygen puts them and the options look for them by default, as MPyC's
// .config/party_<i>.key; the CA is meshmpc_ca.crt (MPyC: mpyc_ca.crt).
inline constexpr const char* kTlsDirectory = ".config";
inline constexpr const char* kCaFile = ".config/meshmpc_ca.crt";

struct TlsFiles {
  std::string key;
  std::string cert;
  std::string ca;  // empty: pinned fingerprints only
};

// The files party `index` uses: --ssl-key/--ssl-cert or .config/party_<index>.*,
// --ssl-ca, or .config/meshmpc_ca.crt when it exists and some other party of the
// roster is not pinned.
TlsFiles tls_files(const RunOptions& options, const net::Roster& roster, std::size_t index);

// The files read and checked (key mode 0600, parseable PEM): ConfigError naming
// the file and the option that names it.
net::tls::Settings load_tls(const TlsFiles& files);

// True for addresses that never leave this machine: loopback IPs, "localhost".
bool is_loopback_host(const std::string& host);

}  // namespace meshmpc::cli
