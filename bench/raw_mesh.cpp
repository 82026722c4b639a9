// meshmpc-rawnet: the raw baseline of the benchmark report. n parties, each on
// its own thread and io_context, linked by plain TCP sockets on loopback (a full
// mesh), exchange rounds in the message pattern of one MPC round: every party
// sends bytes/(n-1) to each other party at once, then waits for theirs. No
// framing, no protocol, no encryption: what the same path costs by itself, so that
// the report can give each transport's efficiency as a ratio to it.
//
//   meshmpc-rawnet --parties 3 --bytes 8000000 --rounds 5     (a 10^6 GRR batch at n = 3)
//   meshmpc-rawnet --parties 3 --bytes 16 --rounds 200        (one small round: latency)
//   meshmpc-rawnet --parties 3 --bytes 16000000 --tls         (the same bytes through TLS 1.3
//                                                              by OpenSSL alone: raw_tls.hpp)
//
// Distributed mode measures the same rounds on another path (veth, an overlay):
// one process per party, --index i and one --peer host:port per party in party
// order. Party i listens on its own entry, accepts every j > i and dials every
// j < i; each side sends its index (one byte) so both ends check who they reached.
//
//   meshmpc-rawnet --index 1 --peer HOST0:11400 --peer HOST1:11400 --peer HOST2:11400 --bytes 16
//   (HOSTi: party i's IP address; tools/bench-nebula.sh passes the lab namespaces' addresses)
//
// Prints CSV (party 0 only): parties,bytes_per_party,rounds,median_round_seconds,min_round_seconds.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/program_options.hpp>
#include <boost/system/system_error.hpp>

#include "raw_tls.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kTimeLimit{120};  // the whole run, every party
// Peers of a distributed run start at about the same time: a dial is retried this
// long (every kDialPause) before the party gives up on a peer that is not listening.
constexpr std::chrono::seconds kDialLimit{30};
constexpr std::chrono::milliseconds kDialPause{100};
constexpr std::size_t kMaxParties = 64;  // an index fits the one-byte handshake

// Party i's sockets: peers[j] to party j (empty for j == i), set up on one
// io_context before the parties split onto their threads; with --tls, tls[i][j]
// is TLS on that socket.
struct Mesh {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::vector<std::unique_ptr<tcp::socket>>> peers;
  std::vector<std::vector<rawnet::Ssl>> tls;
};

Mesh connect_mesh(std::size_t n, bool tls) {
  Mesh mesh;
  for (std::size_t i = 0; i < n; ++i) mesh.contexts.push_back(std::make_unique<asio::io_context>());
  mesh.peers.resize(n);
  for (auto& row : mesh.peers) row.resize(n);
  mesh.tls.resize(tls ? n : 0);
  for (auto& row : mesh.tls) row.resize(n);
  std::optional<rawnet::TlsContexts> contexts;
  if (tls) contexts.emplace();
  for (std::size_t i = 0; i < n; ++i) {
    tcp::acceptor acceptor(*mesh.contexts[i], tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    for (std::size_t j = i + 1; j < n; ++j) {
      auto dialer = std::make_unique<tcp::socket>(*mesh.contexts[j]);
      dialer->connect(acceptor.local_endpoint());
      auto accepted = std::make_unique<tcp::socket>(acceptor.accept());
      dialer->set_option(tcp::no_delay(true));
      accepted->set_option(tcp::no_delay(true));
      if (tls) contexts->connect_pair(*accepted, *dialer, mesh.tls[i][j], mesh.tls[j][i]);
      mesh.peers[j][i] = std::move(dialer);
      mesh.peers[i][j] = std::move(accepted);
    }
  }
  return mesh;
}

// Free functions, not lambdas: a lambda coroutine's captures live in the closure,
// which would be gone before the deferred operation runs.
asio::awaitable<void> send_all(tcp::socket& s, SSL* tls, const std::vector<char>& out) {
  if (tls) {
    co_await rawnet::tls_write_all(s, tls, out);
  } else {
    co_await asio::async_write(s, asio::buffer(out), asio::use_awaitable);
  }
}
asio::awaitable<void> receive_all(tcp::socket& s, SSL* tls, std::vector<char>& in) {
  if (tls) {
    co_await rawnet::tls_read_all(s, tls, in);
  } else {
    co_await asio::async_read(s, asio::buffer(in), asio::use_awaitable);
  }
}

// One round of party `self`: write to every peer and read from every peer, all at
// once; through tls[j] where there is TLS (empty: none).
asio::awaitable<void> round(std::vector<std::unique_ptr<tcp::socket>>& peers, const std::vector<rawnet::Ssl>& tls,
                            std::size_t self, const std::vector<char>& out, std::vector<std::vector<char>>& in) {
  using Op = decltype(asio::co_spawn(peers[0 == self ? 1 : 0]->get_executor(), std::declval<asio::awaitable<void>>(),
                                     asio::deferred));
  std::vector<Op> ops;
  for (std::size_t j = 0; j < peers.size(); ++j) {
    if (j == self) continue;
    tcp::socket& s = *peers[j];
    SSL* ssl = tls.empty() ? nullptr : tls[j].get();
    ops.push_back(asio::co_spawn(s.get_executor(), send_all(s, ssl, out), asio::deferred));
    ops.push_back(asio::co_spawn(s.get_executor(), receive_all(s, ssl, in[j]), asio::deferred));
  }
  auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(ops))
                             .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

// A warm-up round, then `rounds` timed ones.
asio::awaitable<void> timed_rounds(std::vector<std::unique_ptr<tcp::socket>>& peers,
                                   const std::vector<rawnet::Ssl>& tls, std::size_t self, const std::vector<char>& out,
                                   std::vector<std::vector<char>>& in, std::size_t rounds, std::vector<double>& times) {
  co_await round(peers, tls, self, out, in);
  for (std::size_t r = 0; r < rounds; ++r) {
    const auto start = Clock::now();
    co_await round(peers, tls, self, out, in);
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
}

// --- distributed mode: one process per party

// "host:port" or "[v6]:port" -> endpoint; the message names the bad value.
tcp::endpoint parse_peer(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("--peer " + text + ": expected host:port");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = text.substr(colon + 1);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) throw std::invalid_argument("--peer " + text + ": '" + host + "' is not an IP address");
  std::size_t used = 0;
  unsigned long value = 0;
  try {
    value = std::stoul(port, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (port.empty() || used != port.size() || value < 1 || value > 65535)
    throw std::invalid_argument("--peer " + text + ": port '" + port + "' is not 1..65535");
  return {address, static_cast<unsigned short>(value)};
}

// Dials party `peer` until it listens (bounded by kDialLimit), then sends our index
// and checks that the one who answers is `peer`.
asio::awaitable<std::unique_ptr<tcp::socket>> dial(std::size_t self, std::size_t peer, tcp::endpoint to) {
  const auto executor = co_await asio::this_coro::executor;
  const auto deadline = Clock::now() + kDialLimit;
  auto s = std::make_unique<tcp::socket>(executor);
  for (;;) {
    boost::system::error_code ec;
    co_await s->async_connect(to, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) break;
    if (Clock::now() >= deadline)
      throw std::runtime_error("party " + std::to_string(peer) + " at " + to.address().to_string() + ":" +
                               std::to_string(to.port()) + " unreachable for " + std::to_string(kDialLimit.count()) +
                               " s: " + ec.message());
    s = std::make_unique<tcp::socket>(executor);  // a failed connect leaves the socket unusable
    asio::steady_timer pause(executor, kDialPause);
    co_await pause.async_wait(asio::use_awaitable);
  }
  s->set_option(tcp::no_delay(true));
  std::array<unsigned char, 1> byte{static_cast<unsigned char>(self)};
  co_await asio::async_write(*s, asio::buffer(byte), asio::use_awaitable);
  co_await asio::async_read(*s, asio::buffer(byte), asio::use_awaitable);
  if (byte[0] != peer)
    throw std::runtime_error("dialled party " + std::to_string(peer) + " but index " + std::to_string(byte[0]) +
                             " answered (are the --peer entries in party order?)");
  co_return s;
}

// Accepts parties self+1..n-1, in whatever order they come; each names itself first.
asio::awaitable<void> accept_higher(tcp::acceptor& acceptor, std::size_t self,
                                    std::vector<std::unique_ptr<tcp::socket>>& peers) {
  for (std::size_t k = self + 1; k < peers.size(); ++k) {
    auto s = std::make_unique<tcp::socket>(co_await acceptor.async_accept(asio::use_awaitable));
    s->set_option(tcp::no_delay(true));
    std::array<unsigned char, 1> byte{};
    co_await asio::async_read(*s, asio::buffer(byte), asio::use_awaitable);
    const std::size_t j = byte[0];
    if (j <= self || j >= peers.size() || peers[j])
      throw std::runtime_error("a connection from " + s->remote_endpoint().address().to_string() + " said index " +
                               std::to_string(j) + (j > self && j < peers.size() ? ", already connected" : ", not one to accept"));
    byte[0] = static_cast<unsigned char>(self);
    co_await asio::async_write(*s, asio::buffer(byte), asio::use_awaitable);
    peers[j] = std::move(s);
  }
}

// Party `self` of a distributed run: the mesh, then the same rounds as the local mode.
asio::awaitable<void> distributed_party(std::size_t self, std::vector<tcp::endpoint> endpoints, std::size_t per_peer,
                                        std::size_t rounds, std::vector<double>& times) {
  const auto executor = co_await asio::this_coro::executor;
  // Listening before dialling: the parties above us queue in the backlog meanwhile.
  tcp::acceptor acceptor(executor, endpoints[self], /*reuse_addr=*/true);
  std::vector<std::unique_ptr<tcp::socket>> peers(endpoints.size());
  for (std::size_t j = 0; j < self; ++j) peers[j] = co_await dial(self, j, endpoints[j]);
  co_await accept_higher(acceptor, self, peers);
  const std::vector<char> out(per_peer, static_cast<char>(self));
  std::vector<std::vector<char>> in(peers.size(), std::vector<char>(per_peer));
  co_await timed_rounds(peers, {}, self, out, in, rounds, times);
}

// Runs party `self` on one io_context within kTimeLimit; party 0's round times.
std::vector<double> run_distributed(std::size_t self, const std::vector<tcp::endpoint>& endpoints,
                                    std::size_t per_peer, std::size_t rounds) {
  asio::io_context io;
  std::vector<double> times;
  std::exception_ptr error;
  asio::co_spawn(io, distributed_party(self, endpoints, per_peer, rounds, times),
                 [&](std::exception_ptr e) { error = e; });
  io.run_for(kTimeLimit);
  if (error) std::rethrow_exception(error);
  if (times.size() != rounds)
    throw std::runtime_error("rounds not finished within " + std::to_string(kTimeLimit.count()) + " s");
  return times;
}

// Party 0's line; the same columns in both modes.
void print_result(std::size_t n, std::size_t per_peer, std::size_t rounds, std::vector<double> times) {
  std::sort(times.begin(), times.end());
  std::printf("%zu,%zu,%zu,%.9f,%.9f\n", n, per_peer * (n - 1), rounds, times[times.size() / 2], times.front());
}

// The local mode: every party a thread of this process, on loopback; party 0's round times.
std::vector<double> run_local(std::size_t n, std::size_t per_peer, std::size_t rounds, bool tls) {
  Mesh mesh = connect_mesh(n, tls);
  static const std::vector<rawnet::Ssl> kPlain;
  std::vector<std::vector<double>> times(n);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      const std::vector<char> out(per_peer, static_cast<char>(i));
      std::vector<std::vector<char>> in(n, std::vector<char>(per_peer));
      asio::co_spawn(*mesh.contexts[i], timed_rounds(mesh.peers[i], tls ? mesh.tls[i] : kPlain, i, out, in, rounds, times[i]),
                     asio::detached);
      mesh.contexts[i]->run_for(kTimeLimit);  // bounded in time as in count: a stalled peer ends the run
    });
  }
  for (auto& t : threads) t.join();
  if (times[0].size() != rounds)
    throw std::runtime_error("did not finish its rounds within " + std::to_string(kTimeLimit.count()) + " s");
  return times[0];
}

boost::program_options::options_description describe_options() {
  namespace po = boost::program_options;
  po::options_description options("meshmpc-rawnet: plain TCP (or TLS) rounds among parties (the report's baseline)");
  options.add_options()("help", "this text")("parties", po::value<std::size_t>()->default_value(3),
                                             "n >= 2, all in this process on loopback")(
      "bytes", po::value<std::size_t>()->default_value(8'000'000), "bytes each party sends per round, all peers")(
      "rounds", po::value<std::size_t>()->default_value(5), "timed rounds (1..100000)")(
      "tls", "local mode: every link TLS 1.3 by OpenSSL on the socket (the TLS transport's baseline)")(
      "index", po::value<std::size_t>(), "distributed mode: this process is party i (0-based)")(
      "peer", po::value<std::vector<std::string>>(),
      "distributed mode: host:port of each party, once per party in party order (i listens on its own)");
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  const po::options_description options = describe_options();
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "meshmpc-rawnet: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << options;
    return 0;
  }
  const bool distributed = vm.count("index") || vm.count("peer");
  std::vector<tcp::endpoint> endpoints;
  try {
    for (const auto& text : distributed && vm.count("peer") ? vm["peer"].as<std::vector<std::string>>()
                                                            : std::vector<std::string>{})
      endpoints.push_back(parse_peer(text));
  } catch (const std::invalid_argument& e) {
    std::cerr << "meshmpc-rawnet: " << e.what() << "\n";
    return 2;
  }
  const std::size_t n = distributed ? endpoints.size() : vm["parties"].as<std::size_t>();
  const std::size_t rounds = vm["rounds"].as<std::size_t>();
  const std::size_t per_peer = std::max<std::size_t>(1, vm["bytes"].as<std::size_t>() / std::max<std::size_t>(1, n - 1));
  if (n < 2 || n > kMaxParties || rounds < 1 || rounds > 100000) {
    std::cerr << "meshmpc-rawnet: " << (distributed ? "--peer must be given 2..64 times" : "--parties must be 2..64")
              << " and --rounds 1..100000 (got " << n << " parties, " << rounds << " rounds)\n";
    return 2;
  }
  if (distributed && (!vm.count("index") || vm["index"].as<std::size_t>() >= n || !vm["parties"].defaulted() ||
                      vm.count("tls"))) {
    std::cerr << "meshmpc-rawnet: distributed mode needs --index 0.." << n - 1 << " (got "
              << (vm.count("index") ? std::to_string(vm["index"].as<std::size_t>()) : "none")
              << "), takes n from the --peer entries, not --parties, and has no --tls (local mode only)\n";
    return 2;
  }
  const std::size_t self = distributed ? vm["index"].as<std::size_t>() : 0;
  try {
    auto times = distributed ? run_distributed(self, endpoints, per_peer, rounds) : run_local(n, per_peer, rounds, vm.count("tls") > 0);
    if (self == 0) print_result(n, per_peer, rounds, std::move(times));
  } catch (const boost::system::system_error& e) {  // its what() carries Asio's source location
    std::cerr << "meshmpc-rawnet: party " << self << ": " << e.code().message() << " (a peer's link)\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "meshmpc-rawnet: party " << self << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
