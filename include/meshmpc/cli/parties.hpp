#pragma once
// Where the parties are: -P addresses, the -C config file, the session id, and the
// roster a program hands to its transport.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <meshmpc/cli/options.hpp>
#include <meshmpc/net/roster.hpp>

namespace meshmpc::cli {

// "host:port", "[::1]:port", "host" (port 0: not given), ":port" (empty host: this
// party, as in MPyC). Throws ConfigError naming `where` (e.g. "-P/--party") and the text.
net::Endpoint parse_endpoint(std::string_view text, std::string_view where);

// A -P value: "host:port" as above, or the roster line meshmpc-keygen prints,
// "host:port FINGERPRINT" (the party's pinned TLS certificate). Throws ConfigError
// naming `where`, the text and the fault (a typo in the fingerprint names its group).
struct RosterLine {
  net::Endpoint endpoint;
  std::optional<net::tls::Fingerprint> fingerprint;
};
RosterLine parse_roster_line(std::string_view text, std::string_view where);

// The parties of a config file (format in docs/cli.md): one INI section per party
// in party order, keys host (required; empty = this party, as in MPyC), port, name
// (default: the section's name), identity, fingerprint (the pinned TLS certificate). A relative path that does not exist is
// also looked up under .config/ (where MPyC keeps them); `resolved` gets the path read.
// Throws ConfigError naming the file, the section and the field.
std::vector<net::PartyInfo> read_config_file(const std::string& path, std::string* resolved = nullptr);
// The same from the file's text; `where` names it in messages ("config file 'x'").
// Separate from the reading so that the parser can be fuzzed (fuzz/config_file_fuzz.cpp).
std::vector<net::PartyInfo> parse_config_file(std::string_view text, const std::string& where);

// 32 lowercase hex digits and back; from_hex throws ConfigError on anything else.
std::string session_id_to_hex(const net::SessionId& id);
net::SessionId session_id_from_hex(std::string_view hex);
// A fresh random session id (getrandom).
net::SessionId random_session_id();

// The roster these options describe: the -P / -C parties (missing ports: base port
// + id; missing names: "party<i>"), or else M parties on 127.0.0.1 at base port + i.
// The session id is --session-id, or else the program name's first 16 bytes (every
// party runs the same program). Throws ConfigError if the roster is not valid.
net::Roster make_roster(const RunOptions& options);

// The file --output-file sends party i's output to: "party<M>_<i>.log" (MPyC's name).
std::string output_file_name(const RunOptions& options, std::size_t party);

}  // namespace meshmpc::cli
