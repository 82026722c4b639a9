// nat_probe: checks what the NAT lab's NATs do for TCP hole punching
// (tools/nat-lab.sh; the NatLabProbe tests run it). Two commands:
//
//   nat_probe serve --listen IP:PORT [--pairs K] [--deadline S]
//       An introducer on PORT: it tells each client the address:port it saw the
//       connection come from ("you A:P"), pairs the clients in the order they
//       came and tells each the other's ("peer B:Q"), then keeps the connection
//       until the client closes it. On PORT+1, a second destination: "you A:P"
//       and close (a NAT with random ports shows another port there). Exits
//       after K pairs have closed, or after S seconds.
//   nat_probe punch --port P --rendezvous IP:PORT --name NAME [--tries N] [--deadline S]
//       As a party of issue 15 does: listens on P (SO_REUSEADDR+SO_REUSEPORT),
//       connects to the introducer from P and keeps that connection, asks the
//       second destination from P too, then dials the peer's reflexive address
//       from P (TCP simultaneous open: the peer dials ours at about the same
//       time), at most N attempts within S seconds, and exchanges names over the
//       connection that forms (dialled, or accepted on the listener).
//       Prints "reflexive A:P", "second-reflexive A:P'", "peer B:Q", then
//       "connected via dial|accept from B:Q, peer is NAME" (exit 0) or
//       "no connection: ..." (exit 1). Bad input: exit 2.
// Every line received is bounded (kMaxLine) and checked before use.
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <meshmpc/net/deadline.hpp>

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::size_t kMaxLine = 128;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

tcp::endpoint parse_endpoint(const std::string& text, const std::string& where) {
  const auto colon = text.rfind(':');
  boost::system::error_code ec;
  const auto address = asio::ip::make_address_v4(text.substr(0, colon == std::string::npos ? 0 : colon), ec);
  unsigned port = 0;
  const char* begin = text.data() + (colon == std::string::npos ? text.size() : colon + 1);
  const auto [end, err] = std::from_chars(begin, text.data() + text.size(), port);
  if (colon == std::string::npos || ec || err != std::errc() || end != text.data() + text.size() || port == 0 ||
      port > 65535) {
    throw UsageError(where + ": '" + text + "' is not an IPv4 address:port");
  }
  return {address, static_cast<unsigned short>(port)};
}

std::string text_of(const tcp::endpoint& e) { return e.address().to_string() + ":" + std::to_string(e.port()); }

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// One line (without the newline) of at most kMaxLine bytes.
asio::awaitable<std::string> read_line(tcp::socket& socket, asio::streambuf& buffer) {
  const std::size_t n = co_await asio::async_read_until(socket, buffer, '\n', asio::use_awaitable);
  std::string line(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + n - 1);
  buffer.consume(n);
  co_return line;
}

// A line "<word> <endpoint>" from the introducer, checked.
tcp::endpoint expect_endpoint_line(const std::string& line, const std::string& word) {
  if (line.rfind(word + " ", 0) != 0) throw std::runtime_error("the introducer sent '" + line + "', not '" + word + " A:P'");
  return parse_endpoint(line.substr(word.size() + 1), "the introducer's '" + word + "' line");
}

asio::awaitable<void> write_line(tcp::socket& socket, const std::string& line) {
  const std::string data = line + "\n";
  co_await asio::async_write(socket, asio::buffer(data), asio::use_awaitable);
}

// ---------------------------------------------------------------- serve

struct Waiting {
  tcp::endpoint seen;
  std::shared_ptr<asio::steady_timer> paired;  // cancelled when the peer arrives
  std::optional<tcp::endpoint> peer;
};

// Shared by the connections' coroutines, which may outlive serve() at its deadline.
struct Introducer {
  std::shared_ptr<Waiting> waiting;  // the first of a pair, until the second comes
  std::size_t open = 0;
};

asio::awaitable<void> introduce(tcp::socket socket, std::shared_ptr<Introducer> state, Clock::time_point deadline) {
  auto self = std::make_shared<Waiting>();
  self->paired = std::make_shared<asio::steady_timer>(socket.get_executor(), deadline);
  ++state->open;
  try {
    self->seen = socket.remote_endpoint();
    co_await write_line(socket, "you " + text_of(self->seen));
    if (!state->waiting) {
      state->waiting = self;
      boost::system::error_code ec;
      co_await self->paired->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    } else {
      const auto first = std::exchange(state->waiting, nullptr);
      first->peer = self->seen;
      self->peer = first->seen;
      first->paired->cancel();
    }
    if (self->peer) {
      co_await write_line(socket, "peer " + text_of(*self->peer));
      // Held open (as the real rendezvous holds its control connection) until
      // the client closes it; a line it sends is discarded, bounded by kMaxLine.
      asio::streambuf sink(kMaxLine);
      co_await meshmpc::net::until_deadline(read_line(socket, sink), deadline);
    }
  } catch (const std::exception&) {
    // A client that went away (or sent too long a line): nothing to tell.
  }
  --state->open;
}

// The second destination: the address:port each connection came from, then close.
asio::awaitable<void> reflect(std::shared_ptr<tcp::acceptor> second, std::size_t count, Clock::time_point deadline) {
  for (std::size_t i = 0; i < count; ++i) {
    auto s = co_await meshmpc::net::until_deadline(second->async_accept(asio::use_awaitable), deadline);
    if (!s) co_return;
    boost::system::error_code ec;
    const std::string line = "you " + text_of(s->remote_endpoint(ec)) + "\n";
    asio::write(*s, asio::buffer(line), ec);
  }
}

asio::awaitable<void> serve(tcp::endpoint at, std::size_t pairs, Clock::time_point deadline) {
  const auto ex = co_await asio::this_coro::executor;
  tcp::acceptor introducer(ex, at);
  auto second = std::make_shared<tcp::acceptor>(ex, tcp::endpoint(at.address(), static_cast<unsigned short>(at.port() + 1)));
  say("serving on " + text_of(at) + " and port " + std::to_string(at.port() + 1));
  asio::co_spawn(ex, reflect(second, 2 * pairs, deadline), asio::detached);
  auto state = std::make_shared<Introducer>();
  for (std::size_t i = 0; i < 2 * pairs; ++i) {
    auto accepted = co_await meshmpc::net::until_deadline(introducer.async_accept(asio::use_awaitable), deadline);
    if (!accepted) break;
    asio::co_spawn(ex, introduce(std::move(*accepted), state, deadline), asio::detached);
  }
  // The clients then exchange names with each other, not with us; they close
  // our connections when done.
  asio::steady_timer poll(ex);
  while (state->open > 0 && Clock::now() < deadline) {
    poll.expires_after(50ms);
    co_await poll.async_wait(asio::use_awaitable);
  }
  boost::system::error_code ignored;
  second->close(ignored);
}

// ---------------------------------------------------------------- punch

// A TCP socket bound to 0.0.0.0:port that others may share (SO_REUSEADDR and
// SO_REUSEPORT: the listener, the introducer's connection and the dials).
tcp::socket shared_port_socket(const asio::any_io_executor& ex, unsigned short port) {
  tcp::socket s(ex);
  s.open(tcp::v4());
  s.set_option(asio::socket_base::reuse_address(true));
  const int one = 1;
  if (::setsockopt(s.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
    throw std::runtime_error("SO_REUSEPORT refused");
  s.bind(tcp::endpoint(asio::ip::address_v4::any(), port));
  return s;
}

tcp::acceptor shared_port_listener(const asio::any_io_executor& ex, unsigned short port) {
  tcp::acceptor a(ex);
  a.open(tcp::v4());
  a.set_option(asio::socket_base::reuse_address(true));
  const int one = 1;
  if (::setsockopt(a.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
    throw std::runtime_error("SO_REUSEPORT refused");
  a.bind(tcp::endpoint(asio::ip::address_v4::any(), port));
  a.listen();
  return a;
}

struct PunchOptions {
  unsigned short port = 0;
  tcp::endpoint rendezvous;
  std::string name;
  int tries = 5;
  std::chrono::seconds deadline{15};
};

// Names exchanged over a connection that formed; the peer's name (bounded, checked).
asio::awaitable<std::string> exchange_names(tcp::socket& s, const std::string& name, Clock::time_point deadline) {
  co_await write_line(s, "name " + name);
  asio::streambuf buffer(kMaxLine);
  auto line = co_await meshmpc::net::until_deadline(read_line(s, buffer), deadline);
  if (!line) throw std::runtime_error("the peer sent no name in time");
  if (line->rfind("name ", 0) != 0) throw std::runtime_error("the peer sent '" + *line + "', not 'name NAME'");
  co_return line->substr(5);
}

asio::awaitable<int> punch(PunchOptions o) {
  const auto ex = co_await asio::this_coro::executor;
  const auto deadline = Clock::now() + o.deadline;
  auto listener = shared_port_listener(ex, o.port);

  auto control = shared_port_socket(ex, o.port);
  co_await control.async_connect(o.rendezvous, asio::use_awaitable);
  asio::streambuf control_buffer(kMaxLine);
  auto you = co_await meshmpc::net::until_deadline(read_line(control, control_buffer), deadline);
  if (!you) throw std::runtime_error("the introducer said nothing in time");
  const auto reflexive = expect_endpoint_line(*you, "you");
  say("reflexive " + text_of(reflexive));

  {
    auto second = shared_port_socket(ex, o.port);
    const tcp::endpoint to(o.rendezvous.address(), static_cast<unsigned short>(o.rendezvous.port() + 1));
    co_await second.async_connect(to, asio::use_awaitable);
    asio::streambuf buffer(kMaxLine);
    auto line = co_await meshmpc::net::until_deadline(read_line(second, buffer), deadline);
    if (!line) throw std::runtime_error("the second destination said nothing in time");
    say("second-reflexive " + text_of(expect_endpoint_line(*line, "you")));
  }

  auto peer_line = co_await meshmpc::net::until_deadline(read_line(control, control_buffer), deadline);
  if (!peer_line) {
    say("no connection: the introducer named no peer in time");
    co_return 1;
  }
  const auto peer = expect_endpoint_line(*peer_line, "peer");
  say("peer " + text_of(peer));

  // Whichever forms first: an accepted connection, or one of our dials. Shared
  // with the accepting coroutine, which ends after this one when the listener closes.
  struct Formed {
    std::optional<tcp::socket> socket;
    std::string how;
    tcp::socket* dialling = nullptr;  // the dial under way, cancelled when an accept wins
  };
  auto formed = std::make_shared<Formed>();
  auto listening = std::make_shared<tcp::acceptor>(std::move(listener));
  asio::co_spawn(
      ex,
      [](std::shared_ptr<tcp::acceptor> a, std::shared_ptr<Formed> f, Clock::time_point until) -> asio::awaitable<void> {
        auto s = co_await meshmpc::net::until_deadline(a->async_accept(asio::use_awaitable), until);
        if (s && !f->socket) {
          f->how = "accept from " + text_of(s->remote_endpoint());
          f->socket.emplace(std::move(*s));
          if (f->dialling) f->dialling->cancel();
        }
      }(listening, formed, deadline),
      asio::detached);
  std::string last_error = "no attempt";
  for (int attempt = 1; attempt <= o.tries && !formed->socket && Clock::now() < deadline; ++attempt) {
    // One attempt lasts at most 3 s: our first SYN may be dropped by the peer's
    // NAT; the connection forms when the peer's own SYN reaches us, which a
    // slow peer may send a second or two later (our SYN_SENT socket waits).
    const auto attempt_end = std::min(deadline, Clock::now() + 3s);
    auto s = shared_port_socket(ex, o.port);
    formed->dialling = &s;
    try {
      const bool connected = co_await meshmpc::net::until_deadline(s.async_connect(peer, asio::use_awaitable), attempt_end);
      formed->dialling = nullptr;
      if (connected) {
        if (!formed->socket) {
          formed->how = "dial to " + text_of(peer);
          formed->socket.emplace(std::move(s));
        }
        break;
      }
      last_error = "attempt " + std::to_string(attempt) + " timed out";
    } catch (const boost::system::system_error& e) {
      formed->dialling = nullptr;
      if (formed->socket) break;  // an accepted connection cancelled this dial
      last_error = "attempt " + std::to_string(attempt) + ": " + e.code().message();
    }
    say(last_error);
    asio::steady_timer pause(ex, std::min(deadline, Clock::now() + 200ms));
    co_await pause.async_wait(asio::use_awaitable);
  }
  boost::system::error_code ignored;
  listening->close(ignored);
  if (!formed->socket) {
    say("no connection: " + last_error);
    co_return 1;
  }
  const auto name = co_await exchange_names(*formed->socket, o.name, deadline);
  say("connected via " + formed->how + ", peer is " + name);
  co_return 0;
}

// ---------------------------------------------------------------- main

std::map<std::string, std::string> options_of(int argc, char** argv, int from) {
  std::map<std::string, std::string> out;
  for (int i = from; i < argc; i += 2) {
    const std::string key = argv[i];
    if (key.rfind("--", 0) != 0 || i + 1 >= argc) throw UsageError("option '" + key + "' needs a value");
    out[key.substr(2)] = argv[i + 1];
  }
  return out;
}

std::string required(const std::map<std::string, std::string>& o, const std::string& key) {
  const auto it = o.find(key);
  if (it == o.end()) throw UsageError("--" + key + " is required");
  return it->second;
}

long number(const std::map<std::string, std::string>& o, const std::string& key, long fallback, long lo, long hi) {
  const auto it = o.find(key);
  if (it == o.end()) return fallback;
  long v = 0;
  const auto [end, err] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (err != std::errc() || end != it->second.data() + it->second.size() || v < lo || v > hi)
    throw UsageError("--" + key + " '" + it->second + "': give a number from " + std::to_string(lo) + " to " +
                     std::to_string(hi));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string command = argc > 1 ? argv[1] : "";
    const auto o = options_of(argc, argv, 2);
    asio::io_context io;
    int rc = 0;
    if (command == "serve") {
      const auto at = parse_endpoint(required(o, "listen"), "--listen");
      const auto pairs = static_cast<std::size_t>(number(o, "pairs", 1, 1, 100));
      const auto deadline = Clock::now() + std::chrono::seconds(number(o, "deadline", 30, 1, 600));
      asio::co_spawn(io, serve(at, pairs, deadline), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
    } else if (command == "punch") {
      PunchOptions p;
      p.port = static_cast<unsigned short>(number(o, "port", 0, 1, 65535));
      if (p.port == 0) throw UsageError("--port is required");
      p.rendezvous = parse_endpoint(required(o, "rendezvous"), "--rendezvous");
      p.name = required(o, "name");
      if (p.name.empty() || p.name.size() > 32 || p.name.find_first_of(" \n") != std::string::npos)
        throw UsageError("--name: 1 to 32 characters, no spaces");
      p.tries = static_cast<int>(number(o, "tries", 5, 1, 20));
      p.deadline = std::chrono::seconds(number(o, "deadline", 15, 1, 120));
      asio::co_spawn(io, punch(p), [&rc](std::exception_ptr e, int result) {
        if (e) std::rethrow_exception(e);
        rc = result;
      });
    } else {
      throw UsageError("give a command: serve or punch");
    }
    io.run();
    return rc;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "nat_probe: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nat_probe: %s\n", e.what());
    say(std::string("no connection: ") + e.what());
    return 1;
  }
}
