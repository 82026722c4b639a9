#include <meshmpc/tailscale/local_api_token.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <meshmpc/error.hpp>

namespace meshmpc::tailscale {

namespace {

namespace fs = std::filesystem;

// The App Store app's group container is "<team id>.io.tailscale.ipn.macos"; the
// tailscale CLI matches the same suffix in lsof's output.
constexpr std::string_view kAppStoreContainerSuffix = "io.tailscale.ipn.macos";
constexpr std::string_view kProofPrefix = "sameuserproof-";
// A token file is one short line; a bigger file is not one (and is not read whole).
constexpr std::size_t kMaxTokenFile = 4096;

void wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

struct Candidate {
  std::uint16_t port = 0;
  std::string token;
  fs::file_time_type written;
  std::string folder;
};

// What a search of the group containers found: the newest proof file for the
// port, and counts for the message when there is none.
struct ProofSearch {
  std::optional<Candidate> newest;
  std::size_t folders = 0;
  std::size_t other_ports = 0;
  std::size_t malformed = 0;
};

// One file of a container: the newest proof file for `port` is kept, every other
// token read is wiped.
void consider_proof_file(const fs::directory_entry& file, const fs::path& folder, std::optional<std::uint16_t> port,
                         ProofSearch& search) {
  std::error_code error;
  std::string file_name = file.path().filename().string();
  if (!file_name.starts_with(kProofPrefix)) return;
  const std::string_view rest = std::string_view(file_name).substr(kProofPrefix.size());
  const std::size_t dash = rest.find('-');
  const auto found_port = dash == std::string_view::npos ? std::nullopt : parse_port(rest.substr(0, dash));
  if (!found_port || dash + 1 == rest.size()) {
    ++search.malformed;
  } else if (port && *found_port != *port) {
    ++search.other_ports;
  } else {
    Candidate candidate{*found_port, std::string(rest.substr(dash + 1)), file.last_write_time(error),
                        folder.string()};
    if (!search.newest || candidate.written > search.newest->written) {
      if (search.newest) wipe(search.newest->token);
      search.newest = std::move(candidate);
    } else {
      wipe(candidate.token);
    }
  }
  wipe(file_name);
}

// The port and token of the newest proof file (its token wiped from `newest`).
std::optional<LoopbackCredentials> credentials_from(Candidate& newest, std::vector<std::string>& looked) {
  LoopbackCredentials found{newest.port, nullptr};
  try {
    found.token = std::make_shared<const LocalApiToken>(
        newest.token, "the App Store Tailscale app's sameuserproof file in " + newest.folder);
  } catch (const ConfigError& e) {
    wipe(newest.token);
    looked.push_back(e.what());
    return std::nullopt;
  }
  wipe(newest.token);
  return found;
}

// Why the search found no proof file.
std::string no_proof_file(const std::string& group_containers, const ProofSearch& search,
                          std::optional<std::uint16_t> port) {
  std::string why = group_containers + "/*" + std::string(kAppStoreContainerSuffix) + ": ";
  if (search.folders == 0) {
    why += "no such folder (no App Store Tailscale app)";
  } else if (search.other_ports != 0) {
    why += "no sameuserproof file for port " + std::to_string(*port) + " (only for other ports)";
  } else {
    why += "no sameuserproof file (is the Tailscale app running?)";
  }
  if (search.malformed != 0) {
    why += "; " + std::to_string(search.malformed) + " sameuserproof file(s) with a malformed name ignored";
  }
  return why;
}

// The App Store app: sameuserproof-<port>-<token> in a folder of Group Containers.
std::optional<LoopbackCredentials> find_app_store(const std::string& group_containers,
                                                  std::optional<std::uint16_t> port, std::vector<std::string>& looked) {
  if (group_containers.empty()) {
    looked.push_back("the App Store app's group container (no $HOME to find it from)");
    return std::nullopt;
  }
  std::error_code error;
  fs::directory_iterator containers(group_containers, error);
  if (error) {
    looked.push_back(group_containers + ": " + error.message() + " (no App Store Tailscale app)");
    return std::nullopt;
  }
  ProofSearch search;
  for (const fs::directory_entry& container : containers) {
    const std::string name = container.path().filename().string();
    if (!name.ends_with(kAppStoreContainerSuffix) || !container.is_directory(error)) continue;
    ++search.folders;
    fs::directory_iterator files(container.path(), error);
    if (error) {
      looked.push_back(container.path().string() + ": " + error.message());
      continue;
    }
    for (const fs::directory_entry& file : files) consider_proof_file(file, container.path(), port, search);
  }
  if (search.newest) return credentials_from(*search.newest, looked);
  looked.push_back(no_proof_file(group_containers, search, port));
  return std::nullopt;
}

// The standalone app: /Library/Tailscale/ipnport -> <port>, and the token in
// /Library/Tailscale/sameuserproof-<port>.
std::optional<LoopbackCredentials> find_standalone(const std::string& dir, std::optional<std::uint16_t> port,
                                                   std::vector<std::string>& looked) {
  const std::string link = dir + "/ipnport";
  std::error_code error;
  const fs::path target = fs::read_symlink(link, error);
  if (error) {
    looked.push_back(link + ": " + error.message() + " (no standalone Tailscale app)");
    return std::nullopt;
  }
  const auto found_port = parse_port(target.string());
  if (!found_port) {
    looked.push_back(link + ": its target '" + target.string() + "' is not a port number");
    return std::nullopt;
  }
  if (port && *found_port != *port) {
    looked.push_back(link + ": names port " + std::to_string(*found_port) + ", not " + std::to_string(*port));
    return std::nullopt;
  }
  try {
    return LoopbackCredentials{*found_port, read_token_file(dir + "/" + std::string(kProofPrefix) + target.string())};
  } catch (const ConfigError& e) {
    looked.push_back(std::string(e.what()) + " (the standalone app lets only the admin group read it)");
    return std::nullopt;
  }
}

}  // namespace

LocalApiToken::LocalApiToken(std::string value, std::string source)
    : value_(std::move(value)), source_(std::move(source)) {
  const auto bad = [&](const std::string& why) {
    wipe(value_);
    return ConfigError("tailscale: " + source_ + ": " + why);
  };
  if (value_.empty()) throw bad("the LocalAPI token is empty");
  if (value_.size() > kMaxTokenLength) {
    throw bad("the LocalAPI token has " + std::to_string(value_.size()) + " characters, more than " +
              std::to_string(kMaxTokenLength) + " (is this the right file?)");
  }
  for (const char c : value_) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) throw bad("the LocalAPI token holds a space or a control character (expected one line)");
  }
  // HTTP Basic auth (RFC 7617) with an empty user: base64(":" + token).
  std::string credentials = ":" + value_;
  std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(credentials.data()),
                                     static_cast<int>(credentials.size()));
  wipe(credentials);
  authorization_ = "Basic " + encoded.substr(0, static_cast<std::size_t>(length));
  wipe(encoded);
}

LocalApiToken::~LocalApiToken() {
  wipe(value_);
  wipe(authorization_);
}

std::string LocalApiToken::redact(std::string text) const {
  for (std::size_t at = text.find(value_); at != std::string::npos; at = text.find(value_, at)) {
    text.replace(at, value_.size(), "<token>");
  }
  return text;
}

std::shared_ptr<const LocalApiToken> read_token_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError("tailscale: cannot read the LocalAPI token file " + path + ": " + std::strerror(errno));
  }
  std::string text(kMaxTokenFile + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxTokenFile) {
    wipe(text);
    throw ConfigError("tailscale: the LocalAPI token file " + path + " is larger than " +
                      std::to_string(kMaxTokenFile) + " bytes: not a token file");
  }
  std::string token(trim(text));
  wipe(text);
  try {
    auto result = std::make_shared<const LocalApiToken>(token, "the token file " + path);
    wipe(token);
    return result;
  } catch (...) {
    wipe(token);
    throw;
  }
}

MacosPlaces MacosPlaces::defaults() {
  MacosPlaces places;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    places.group_containers = std::string(home) + "/Library/Group Containers";
  }
  places.standalone_dir = "/Library/Tailscale";
  return places;
}

std::optional<LoopbackCredentials> find_macos_credentials(const MacosPlaces& places,
                                                          std::optional<std::uint16_t> port,
                                                          std::vector<std::string>& looked) {
  if (auto found = find_app_store(places.group_containers, port, looked)) return found;
  return find_standalone(places.standalone_dir, port, looked);
}

}  // namespace meshmpc::tailscale
