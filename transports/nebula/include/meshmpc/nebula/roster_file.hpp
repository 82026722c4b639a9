#pragma once
// The roster file of a Nebula session: which certificates take part, in party
// order. One party per line, "<certificate file> [port]"; '#' starts a comment;
// a relative path is relative to the roster file's directory. Every party hands
// out the same file; each finds itself as the entry whose certificate is its own.
//
//   # parties of the Q3 salary survey; CA: ops/ca.crt, group mpc
//   certs/alice.crt
//   certs/bob.crt   11400
//   /etc/meshmpc/carol.crt
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meshmpc::nebula {

struct RosterEntry {
  std::string certificate;  // path, resolved against the roster's directory
  std::uint16_t port = 0;   // 0: the session's default port
  std::size_t line = 0;     // for messages
};

// Throws CertificateError(unreadable) or (malformed) naming the file and line
// (a bad port, extra words, no entries).
std::vector<RosterEntry> read_roster_file(const std::string& path);
std::vector<RosterEntry> parse_roster(std::string_view text, const std::string& source, const std::string& base_dir);

}  // namespace meshmpc::nebula
