#include <meshmpc/net/roster.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string_view>

#include <meshmpc/error.hpp>

namespace meshmpc::net {

const PartyInfo& Roster::party(std::size_t id) const {
  if (id >= parties.size()) {
    throw RangeError("party id " + std::to_string(id) + " is out of range: the roster has " +
                     std::to_string(parties.size()) + " parties");
  }
  return parties[id];
}

void Roster::validate() const {
  if (parties.empty()) throw ConfigError("roster: no parties");
  if (parties.size() > kMaxParties) {
    throw ConfigError("roster: " + std::to_string(parties.size()) + " parties, at most " +
                      std::to_string(kMaxParties) + " are supported");
  }
  std::set<std::string_view> names;
  // Which party holds each address (host as written, lower case, and port): two
  // parties cannot both listen there, so a shared one would only cost a timeout.
  // Port 0 is skipped: a plugin (Nebula, Tailscale) or the base port fills it in later.
  std::map<std::pair<std::string, std::uint16_t>, std::size_t> holders;
  for (std::size_t i = 0; i < parties.size(); ++i) {
    const PartyInfo& party = parties[i];
    if (party.id != i) {
      throw ConfigError("roster: entry " + std::to_string(i) + " (" + party.name + ") has id " +
                        std::to_string(party.id) + "; ids must be 0..n-1 in order");
    }
    if (party.name.empty()) throw ConfigError("roster: party " + std::to_string(i) + " has no name");
    if (!names.insert(party.name).second) {
      throw ConfigError("roster: name '" + party.name + "' is used by more than one party (again by party " +
                        std::to_string(i) + ")");
    }
    for (const Endpoint& endpoint : party.endpoints) {
      if (endpoint.host.empty()) {
        throw ConfigError("roster: " + describe(party) + " has an endpoint with an empty host");
      }
      if (endpoint.port == 0) continue;
      std::string host = endpoint.host;
      std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
      const auto [holder, fresh] = holders.try_emplace({std::move(host), endpoint.port}, i);
      if (!fresh && holder->second != i) {
        throw ConfigError("roster: " + describe(parties[holder->second]) + " and " + describe(party) +
                          " both have the address " + to_string(endpoint) + "; each party needs its own");
      }
    }
  }
}

void Roster::validate_dialable() const {
  validate();
  for (const PartyInfo& party : parties) {
    const bool dialable = std::any_of(party.endpoints.begin(), party.endpoints.end(),
                                      [](const Endpoint& e) { return e.port != 0; });
    if (!dialable) {
      throw ConfigError("roster: " + describe(party) + " has no endpoint with a port to dial");
    }
  }
}

std::string describe(const PartyInfo& party) {
  return "party " + std::to_string(party.id) + " (" + party.name + ")";
}

std::string to_string(const Endpoint& endpoint) {
  const bool ipv6 = endpoint.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

SessionId session_id_from_text(std::string_view text) {
  SessionId id{};
  const std::size_t count = std::min(text.size(), id.size());
  for (std::size_t i = 0; i < count; ++i) id[i] = static_cast<std::byte>(text[i]);
  return id;
}

}  // namespace meshmpc::net
