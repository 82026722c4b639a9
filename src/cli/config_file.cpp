// The -C config file: MPyC's INI layout (one section per party, in party order,
// with host and port; an empty host marks the party reading the file), plus the
// optional keys name and identity. Read with Boost.PropertyTree, which keeps the
// sections in file order and refuses duplicate sections and keys.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <meshmpc/cli/parties.hpp>
#include <meshmpc/error.hpp>

#include "number.hpp"

namespace meshmpc::cli {

namespace pt = boost::property_tree;

namespace {

std::string resolve_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(path, ec)) return path;
  const fs::path in_config = fs::path(".config") / path;
  if (fs::path(path).is_relative() && fs::exists(in_config, ec)) return in_config.string();
  std::string message = "config file '" + path + "' not found";
  if (fs::path(path).is_relative()) message += " (also looked for " + in_config.string() + ")";
  throw ConfigError(message);
}

// The INI text as a tree, a syntax error naming its line.
pt::ptree read_ini_text(std::string_view text, const std::string& where) {
  pt::ptree tree;
  try {
    std::istringstream ini{std::string(text)};
    pt::read_ini(ini, tree);
  } catch (const pt::ini_parser_error& e) {
    throw ConfigError(where + ", line " + std::to_string(e.line()) + ": " + e.message());
  }
  return tree;
}

// PropertyTree silently drops an empty section, which would shift every later
// party's id; find such sections from the headers to refuse them.
void refuse_empty_sections(std::string_view text, const pt::ptree& tree, const std::string& where) {
  std::istringstream in{std::string(text)};
  std::string line;
  for (std::size_t line_no = 1; std::getline(in, line); ++line_no) {
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] != '[') continue;
    const std::size_t close = line.find(']', first);
    std::string name = line.substr(first + 1, close - first - 1);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (tree.find(name) == tree.not_found()) {
      throw ConfigError(where + ", [" + name + "] (line " + std::to_string(line_no) + "): field 'host' is missing");
    }
  }
}

// Party `id` from its section's keys; `at` names the section.
net::PartyInfo party_of(const std::string& section, const pt::ptree& keys, std::size_t id, const std::string& at) {
  net::PartyInfo party;
  party.id = id;
  party.name = section;
  net::Endpoint endpoint;
  bool have_host = false;
  for (const auto& [key, value] : keys) {
    const std::string& text = value.data();
    if (key == "host") {
      have_host = true;
      // A bare IPv6 address is unambiguous here, the port having its own field.
      const bool bare_ipv6 = text.find(':') != text.rfind(':') && text.front() != '[';
      endpoint = text.empty() ? net::Endpoint{}
                              : parse_endpoint(bare_ipv6 ? "[" + text + "]" : text, at + ": field 'host'");
      if (endpoint.port != 0) throw ConfigError(at + ": field 'host' = '" + text + "': put the port in field 'port'");
    } else if (key == "port") {
      if (!text.empty()) party.endpoints.push_back({"", detail::parse_port(text, at + ": field 'port'")});
    } else if (key == "name") {
      if (text.empty()) throw ConfigError(at + ": field 'name' is empty");
      party.name = text;
    } else if (key == "identity") {
      party.identity = text;
    } else if (key == "fingerprint") {
      if (!text.empty()) party.tls_fingerprint = net::tls::parse_fingerprint(text, at + ": field 'fingerprint'");
    } else {
      throw ConfigError(at + ": unknown field '" + key + "' (known: host, port, name, identity, fingerprint)");
    }
  }
  if (!have_host) throw ConfigError(at + ": field 'host' is missing");
  endpoint.port = party.endpoints.empty() ? 0 : party.endpoints.front().port;
  party.endpoints = {endpoint};
  return party;
}

}  // namespace

std::vector<net::PartyInfo> read_config_file(const std::string& path, std::string* resolved) {
  const std::string file = resolve_path(path);
  if (resolved) *resolved = file;
  const std::string where = "config file '" + file + "'";
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(where + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();  // an empty file sets failbit here and is refused below, as having no parties
  return parse_config_file(text.str(), where);
}

std::vector<net::PartyInfo> parse_config_file(std::string_view text, const std::string& where) {
  const pt::ptree tree = read_ini_text(text, where);
  refuse_empty_sections(text, tree, where);

  std::vector<net::PartyInfo> parties;
  for (const auto& [section, keys] : tree) {
    const std::string at = where + ", [" + section + "]";
    if (keys.empty()) {
      // A key outside any section has data and no children; an empty section has neither.
      if (!keys.data().empty()) throw ConfigError(where + ": key '" + section + "' is outside any [section]");
      throw ConfigError(at + ": field 'host' is missing");
    }
    parties.push_back(party_of(section, keys, parties.size(), at));
  }
  if (parties.empty()) throw ConfigError(where + ": no parties (expected one [section] per party)");
  return parties;
}

}  // namespace meshmpc::cli
