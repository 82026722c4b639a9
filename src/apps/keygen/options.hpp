#pragma once
// meshmpc-keygen's command line: what to make, checked before anything is made.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "../app_arguments.hpp"

#include <meshmpc/net/tls/credentials.hpp>

namespace meshmpc::keygen {

// The CLI's default base port (-B): party i listens on kBasePort + i.
inline constexpr unsigned kBasePort = 11365;
inline constexpr unsigned kDefaultDays = 825;
inline constexpr const char* kDefaultDir = ".config";
inline constexpr const char* kDefaultCaName = "meshmpc CA";

// A bad command line: the program says so in one line and exits 2.
using apps::UsageError;

enum class Mode { help, parties, ca, fingerprint };

struct Options {
  Mode mode = Mode::help;
  std::string help_text;
  std::vector<std::size_t> indices;  // the parties to make
  std::string dir = kDefaultDir;
  net::tls::KeyType type = net::tls::KeyType::ed25519;
  std::optional<std::string> name;      // CN: party mode with one party, or the CA's
  std::optional<std::string> endpoint;  // host:port, one party only
  unsigned days = kDefaultDays;
  std::optional<std::string> ca_dir;     // issue from this CA instead of self-signing
  std::string certificate;               // --fingerprint FILE
};

// Throws UsageError with a one-line message.
Options parse_options(const std::vector<std::string>& args);

// "[v6]" → "v6"; the host part of host:port (already checked).
std::string endpoint_host(const std::string& endpoint);

}  // namespace meshmpc::keygen
