// join(): announce, wait for the roster, check it, agree on it (agreement.cpp).
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <optional>

#include <meshmpc/error.hpp>
#include <meshmpc/rendezvous/client.hpp>
#include <meshmpc/rendezvous/messages.hpp>
#include <meshmpc/rendezvous/wire.hpp>

#include "agreement.hpp"
#include "connect_by.hpp"
#include "roster_check.hpp"

namespace meshmpc::rendezvous {

namespace {

// The control connection, from the listening port (see join()'s comment).
asio::awaitable<void> connect_control(Joined& joined, const net::Endpoint& rendezvous, const tcp::endpoint& listening,
                                      std::chrono::steady_clock::time_point deadline) {
  const auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  tcp::resolver::results_type results;
  try {
    results = co_await resolver.async_resolve(rendezvous.host, std::to_string(rendezvous.port), asio::use_awaitable);
  } catch (const boost::system::system_error& e) {
    throw PeerError("cannot resolve the rendezvous '" + rendezvous.host + "': " + e.code().message());
  }
  std::string failure = "the rendezvous '" + rendezvous.host + "' has no address";
  for (const auto& result : results) {
    auto socket = std::make_shared<tcp::socket>(net::socket_on_port(executor, listening, result.endpoint()));
    try {
      co_await detail::connect_by(*socket, result.endpoint(), deadline, "the rendezvous");
      joined.control = std::move(socket);
      joined.rendezvous = result.endpoint();
      co_return;
    } catch (const PeerError& e) {
      failure = e.what();
    }
  }
  throw PeerError(failure);
}

// Everyone seen in the session, in the order they joined, those gone marked: at
// the deadline the others leave too, so "who is here now" would shrink by the
// moment.
std::string joiners_text(const std::vector<Joiner>& seen, const std::vector<Joiner>& here) {
  if (seen.empty()) return "none";
  std::string text;
  for (const Joiner& joiner : seen) {
    const bool left = std::none_of(here.begin(), here.end(),
                                   [&](const Joiner& h) { return h.fingerprint == joiner.fingerprint; });
    text += (text.empty() ? "'" : ", '") + joiner.name + "' " + joiner.fingerprint + (left ? " (left)" : "");
  }
  return text;
}

void remember(std::vector<Joiner>& seen, const std::vector<Joiner>& here) {
  for (const Joiner& joiner : here) {
    const bool known = std::any_of(seen.begin(), seen.end(),
                                   [&](const Joiner& s) { return s.fingerprint == joiner.fingerprint; });
    if (!known && seen.size() < kMaxExpect) seen.push_back(joiner);
  }
}

}  // namespace

asio::awaitable<Joined> join(JoinOptions options, tcp::endpoint listening,
                             std::chrono::steady_clock::time_point deadline) {
  const net::tls::Fingerprint own = net::tls::fingerprint_of_pem(options.cert_pem, "this party's certificate");
  Joined joined;
  co_await connect_control(joined, options.rendezvous, listening, deadline);
  const std::string where = "the rendezvous at " + net::to_string(joined.rendezvous);

  Join announce;
  announce.session = options.session;
  announce.expect = options.expect;
  announce.name = options.name;
  announce.certificate = options.cert_pem;
  announce.endpoints = options.endpoints;
  co_await write_message(*joined.control, encode(announce), deadline);

  std::vector<Joiner> joiners, seen;
  for (;;) {
    std::optional<boost::json::object> message;
    try {
      message = co_await read_message(*joined.control, deadline, where, kMaxServerMessageBytes);
    } catch (const PeerError&) {
      if (std::chrono::steady_clock::now() < deadline) throw;
    }
    // What came after the deadline is not looked at.
    if (!message || std::chrono::steady_clock::now() >= deadline) {
      throw PeerError("session '" + options.session + "' at " + where + ": only " + std::to_string(seen.size()) +
                      " of " + std::to_string(options.expect) + " parties joined by the deadline (" +
                      joiners_text(seen, joiners) + "); every party must run the same --join with --expect " +
                      std::to_string(options.expect));
    }
    const std::string type = message_type(*message);
    if (type == "error") {
      throw PeerError(where + " refused us for session '" + options.session + "': " + decode_error(*message).message);
    }
    if (type == "waiting") {
      joiners.clear();
      for (const auto& joiner : decode_waiting(*message).joined) joiners.push_back({joiner.name, joiner.fingerprint});
      remember(seen, joiners);
      if (options.on_waiting) options.on_waiting(joiners);
      continue;
    }
    if (type != "roster") {
      throw ProtocolError(where + " sent a '" + type + "' message while we waited for the roster");
    }
    const RosterMsg roster = decode_roster(*message);
    joined.roster = detail::checked_roster(roster, options, own, joined.self, where);
    joined.token = roster.token;
    break;
  }
  joined.hash = roster_hash(joined.roster);
  co_await detail::agree(joined, options, deadline, where);
  co_return joined;
}

net::Roster network_roster(const Joined& joined) {
  net::Roster roster;
  std::copy_n(joined.hash.begin(), roster.session_id.size(), roster.session_id.begin());
  const auto& entries = joined.roster.parties;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    net::PartyInfo party;
    party.id = i;
    party.name = entries[i].name.empty() ? "party" + std::to_string(i) : entries[i].name;
    const bool shared = std::count_if(entries.begin(), entries.end(),
                                      [&](const RosterEntry& e) { return e.name == entries[i].name; }) > 1;
    if (shared) party.name += "#" + std::to_string(i);
    party.endpoints = entries[i].endpoints;
    // A party that announced no address of its own is reached at its public one.
    if (party.endpoints.empty() && entries[i].reflexive) party.endpoints.push_back(*entries[i].reflexive);
    party.tls_fingerprint = entries[i].fingerprint;
    roster.parties.push_back(std::move(party));
  }
  return roster;
}

}  // namespace meshmpc::rendezvous
