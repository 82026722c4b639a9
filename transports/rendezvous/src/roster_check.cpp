#include "roster_check.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>

#include <meshmpc/error.hpp>

namespace meshmpc::rendezvous::detail {

namespace {

std::string list(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::string endpoints_text(const std::vector<net::Endpoint>& endpoints) {
  std::vector<std::string> items;
  for (const net::Endpoint& endpoint : endpoints) items.push_back(net::to_string(endpoint));
  return "[" + list(items) + "]";
}

bool same(const std::vector<net::Endpoint>& a, const std::vector<net::Endpoint>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const net::Endpoint& x, const net::Endpoint& y) { return x.host == y.host && x.port == y.port; });
}

// A reflexive address is what a socket reported: a numeric address, never a name.
net::Endpoint numeric_endpoint(const net::Endpoint& endpoint, std::size_t party) {
  boost::system::error_code error;
  (void)boost::asio::ip::make_address(endpoint.host, error);
  if (error || endpoint.port == 0) {
    throw ProtocolError("rendezvous roster: party " + std::to_string(party) + "'s reflexive address '" +
                        net::to_string(endpoint) + "' is not a numeric address and port");
  }
  return endpoint;
}

void check_expected(const RosterDocument& roster, const JoinOptions& options, const std::string& where) {
  if (options.expected.empty()) return;
  std::vector<std::string> missing, unexpected;
  for (const auto& fingerprint : options.expected) {
    const bool found = std::any_of(roster.parties.begin(), roster.parties.end(),
                                   [&](const RosterEntry& entry) { return entry.fingerprint == fingerprint; });
    if (!found) missing.push_back(net::tls::format_fingerprint(fingerprint));
  }
  for (const RosterEntry& entry : roster.parties) {
    if (std::find(options.expected.begin(), options.expected.end(), entry.fingerprint) == options.expected.end()) {
      unexpected.push_back("'" + entry.name + "' " + net::tls::format_fingerprint(entry.fingerprint));
    }
  }
  if (missing.empty() && unexpected.empty()) return;
  std::string text = where + ": the roster's identities are not the expected ones (--expect-fingerprints):";
  if (!missing.empty()) text += " missing " + list(missing) + ";";
  if (!unexpected.empty()) text += " unexpected " + list(unexpected) + ";";
  text.pop_back();
  throw PeerError(text + " — refusing the session");
}

}  // namespace

RosterDocument checked_roster(const RosterMsg& message, const JoinOptions& options,
                              const net::tls::Fingerprint& own, std::size_t& self, const std::string& rendezvous) {
  const std::string where = "session '" + options.session + "' at the rendezvous " + rendezvous;
  if (message.session != options.session) {
    throw PeerError(where + ": the roster is for session '" + message.session + "'");
  }
  if (message.parties.size() != options.expect) {
    throw PeerError(where + ": the roster has " + std::to_string(message.parties.size()) + " parties, we expect " +
                    std::to_string(options.expect));
  }
  RosterDocument roster;
  roster.session = message.session;
  for (std::size_t i = 0; i < message.parties.size(); ++i) {
    const RosterParty& party = message.parties[i];
    RosterEntry entry;
    entry.name = party.name;
    entry.certificate_pem = party.certificate;
    try {
      entry.fingerprint = net::tls::fingerprint_of_pem(party.certificate, "party " + std::to_string(i));
    } catch (const ConfigError& e) {
      throw ProtocolError("rendezvous roster: " + std::string(e.what()));
    }
    entry.endpoints = party.endpoints;
    entry.reflexive = numeric_endpoint(party.reflexive, i);
    if (i > 0 && !(roster.parties.back().fingerprint < entry.fingerprint)) {
      throw PeerError(where + ": the roster is not in the agreed order (ascending key fingerprints, each once) at "
                      "party " + std::to_string(i));
    }
    roster.parties.push_back(std::move(entry));
  }
  const auto mine = std::find_if(roster.parties.begin(), roster.parties.end(),
                                 [&](const RosterEntry& entry) { return entry.fingerprint == own; });
  if (mine == roster.parties.end()) {
    throw PeerError(where + ": our own key " + net::tls::format_fingerprint(own) + " is not in the roster");
  }
  self = static_cast<std::size_t>(mine - roster.parties.begin());
  if (mine->name != options.name) {
    throw PeerError(where + ": the roster changed our own entry: its name is '" + mine->name + "', we announced '" +
                    options.name + "'");
  }
  if (!same(mine->endpoints, options.endpoints)) {
    throw PeerError(where + ": the roster changed our own entry: its endpoints are " + endpoints_text(mine->endpoints) +
                    ", we announced " + endpoints_text(options.endpoints));
  }
  check_expected(roster, options, where);
  return roster;
}

}  // namespace meshmpc::rendezvous::detail
