// A control connection (notes/rendezvous-protocol.md, "Server"): join a waiting
// session, get Waiting updates and the roster, post rounds, and the leave rules.
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <meshmpc/error.hpp>

#include "server_state.hpp"

namespace meshmpc::rendezvous {

using detail::Clock;
using detail::Control;
using detail::Frame;
using detail::Member;
using detail::Session;

namespace {

Frame share(const boost::json::object& message) { return std::make_shared<const std::string>(frame(message)); }

// 32 random bytes as lower-case hex: a party's relay credential.
std::string random_token() {
  std::array<unsigned char, kTokenHexChars / 2> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw Error("the rendezvous server could not get random bytes for a relay token");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

void send_waiting(const Session& session) {
  Waiting waiting{session.expect, {}};
  for (const Member& m : session.members) waiting.joined.push_back({m.name, m.fingerprint_text});
  const Frame frame = share(encode(waiting));
  for (const Member& m : session.members) {
    if (m.control != nullptr) m.control->send(frame, true);
  }
}

// The session is complete: the roster order is the certificates' fingerprints,
// bytewise ascending, so every party computes the same indices without trusting
// join order (which the server could choose).
void fix(Session& session) {
  std::sort(session.members.begin(), session.members.end(),
            [](const Member& a, const Member& b) { return a.fingerprint < b.fingerprint; });
  RosterMsg roster{session.name, "", {}};
  for (Member& m : session.members) {
    m.token = random_token();
    roster.parties.push_back({m.name, m.certificate, m.endpoints, m.reflexive});
  }
  for (const Member& m : session.members) {
    if (m.control == nullptr) continue;
    roster.token = m.token;
    m.control->send(share(encode(roster)));
  }
  session.fixed = true;
  session.fixed_at = Clock::now();
  spdlog::info("rendezvous: session '{}' fixed with {} parties", session.name, session.members.size());
}

// Reads posts until the connection ends. After a refusal it stops reading and
// waits to be cancelled, so that the writer can still send the ErrorMsg.
asio::awaitable<void> read_posts(std::shared_ptr<Server::State> state, std::shared_ptr<Control> control,
                                 detail::Membership membership) {
  try {
    while (!control->failed()) {
      // The session's own expiry (sweep) bounds a quiet member; this only bounds
      // a connection whose session is gone.
      const auto deadline = Clock::now() + state->options.wait_timeout + state->options.session_ttl;
      const boost::json::object message = co_await read_message(control->socket, deadline, control->peer);
      std::string refusal;
      try {
        refusal = state->post(membership, decode_post(message));
      } catch (const ProtocolError& e) {
        refusal = e.what();
      }
      if (!refusal.empty()) {
        spdlog::info("rendezvous: refused a post from {}: {}", control->peer, refusal);
        control->fail(refusal);
      }
    }
  } catch (const std::exception& e) {
    spdlog::debug("rendezvous: {}", e.what());
    control->close();
    co_return;
  }
  asio::steady_timer forever(state->executor, Clock::time_point::max());
  co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

std::string Server::State::admit(const Join& join, const net::tls::Fingerprint& fingerprint,
                                 const std::shared_ptr<Control>& control) {
  auto it = sessions.find(join.session);
  if (it == sessions.end()) {
    if (sessions.size() >= options.max_sessions) {
      return "busy: the rendezvous server holds " + std::to_string(sessions.size()) + " sessions, its limit";
    }
    Session fresh;
    fresh.id = next_session_id++;
    fresh.name = join.session;
    fresh.expect = join.expect;
    fresh.created = Clock::now();
    it = sessions.emplace(join.session, std::move(fresh)).first;
  }
  Session& session = it->second;
  const std::string fingerprint_text = net::tls::format_fingerprint(fingerprint);
  if (session.fixed) {
    return "session '" + session.name + "' is already fixed (" + std::to_string(session.members.size()) +
           " parties)";
  }
  if (session.expect != join.expect) {
    return "session '" + session.name + "' expects " + std::to_string(session.expect) + " parties, not " +
           std::to_string(join.expect);
  }
  if (session.member(fingerprint) != nullptr) {
    return "a party with this key (" + fingerprint_text + ") already joined session '" + session.name + "'";
  }
  Member member;
  member.name = join.name;
  member.certificate = join.certificate;
  member.fingerprint = fingerprint;
  member.fingerprint_text = fingerprint_text;
  member.endpoints = join.endpoints;
  member.reflexive = control->reflexive;
  member.control = control.get();
  session.members.push_back(std::move(member));
  spdlog::debug("rendezvous: {} ({}) joined session '{}' ({} of {})", join.name, control->peer, session.name,
                session.members.size(), session.expect);
  send_waiting(session);
  if (session.members.size() == session.expect) fix(session);
  return "";
}

std::string Server::State::post(const detail::Membership& membership, const Post& post) {
  Session* const session = find(membership);
  if (session == nullptr) return "post: the session is gone";
  if (!session->fixed) return "post: session '" + session->name + "' has no roster yet";
  Member* const member = session->member(membership.fingerprint);
  if (member == nullptr) return "post: not a member of session '" + session->name + "'";
  const std::size_t index = static_cast<std::size_t>(member - session->members.data());
  const std::size_t slot = post.round - 1;
  const std::string round = "round " + std::to_string(post.round);
  if (session->round_done[slot]) return "post: " + round + " of session '" + session->name + "' is already complete";
  if (member->posts[slot]) {
    return "post: party " + std::to_string(index) + " already posted " + round + " of session '" + session->name + "'";
  }
  member->posts[slot] = post.data;
  for (const Member& m : session->members) {
    if (!m.posts[slot]) return "";
  }
  Round complete{post.round, {}};
  for (Member& m : session->members) {
    complete.data.push_back(std::move(*m.posts[slot]));
    m.posts[slot].reset();
  }
  session->round_done[slot] = true;
  const Frame frame = share(encode(complete));
  for (const Member& m : session->members) {
    if (m.control != nullptr) m.control->send(frame);
  }
  return "";
}

void Server::State::leave(const detail::Membership& membership) {
  Session* const session = find(membership);
  if (session == nullptr) return;
  if (!session->fixed) {
    std::erase_if(session->members, [&](const Member& m) { return m.fingerprint == membership.fingerprint; });
    if (session->members.empty()) {
      sessions.erase(membership.session);
    } else {
      send_waiting(*session);
    }
    return;
  }
  // The others get nothing: their links may be up already.
  if (Member* const member = session->member(membership.fingerprint)) member->control = nullptr;
  drop_if_unused(membership.session);
}

namespace detail {

asio::awaitable<void> serve_control(std::shared_ptr<Server::State> state, std::shared_ptr<Control> control,
                                    boost::json::object first) {
  Join join;
  net::tls::Fingerprint fingerprint{};
  std::string refusal;
  try {
    join = decode_join(first);
    fingerprint = net::tls::fingerprint_of_pem(join.certificate, "join: 'certificate'");
  } catch (const Error& e) {
    refusal = e.what();
  }
  if (refusal.empty()) refusal = state->admit(join, fingerprint, control);
  if (!refusal.empty()) {
    spdlog::info("rendezvous: refused a join from {}: {}", control->peer, refusal);
    co_await refuse(state, control, std::move(refusal));
    co_return;
  }
  const detail::Membership membership{join.session, state->sessions.at(join.session).id, fingerprint};
  // Leaves whatever way this coroutine ends (a cancelled one included).
  struct Leave {
    Server::State* state;
    const detail::Membership& membership;
    ~Leave() { state->leave(membership); }
  } leave{state.get(), membership};

  using namespace asio::experimental::awaitable_operators;
  co_await (read_posts(state, control, membership) || control->drain(state->options.write_timeout));
}

}  // namespace detail

}  // namespace meshmpc::rendezvous
