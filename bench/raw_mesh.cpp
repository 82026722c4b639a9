// meshmpc-rawnet: the raw baseline of the benchmark report. n parties, each on
// its own thread and io_context, linked by plain TCP sockets on loopback (a full
// mesh), exchange rounds in the message pattern of one MPC round: every party
// sends bytes/(n-1) to each other party at once, then waits for theirs. No
// framing, no protocol, no encryption: what the same path costs by itself, so that
// the report can give each transport's efficiency as a ratio to it.
//
//   meshmpc-rawnet --parties 3 --bytes 8000000 --rounds 5     (a 10^6 GRR batch at n = 3)
//   meshmpc-rawnet --parties 3 --bytes 16 --rounds 200        (one small round: latency)
//
// Prints CSV: parties,bytes_per_party,rounds,median_round_seconds,min_round_seconds.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/program_options.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kTimeLimit{120};  // the whole run, every party

// Party i's sockets: peers[j] to party j (empty for j == i), set up on one
// io_context before the parties split onto their threads.
struct Mesh {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::vector<std::unique_ptr<tcp::socket>>> peers;
};

Mesh connect_mesh(std::size_t n) {
  Mesh mesh;
  for (std::size_t i = 0; i < n; ++i) mesh.contexts.push_back(std::make_unique<asio::io_context>());
  mesh.peers.resize(n);
  for (auto& row : mesh.peers) row.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    tcp::acceptor acceptor(*mesh.contexts[i], tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    for (std::size_t j = i + 1; j < n; ++j) {
      auto dialer = std::make_unique<tcp::socket>(*mesh.contexts[j]);
      dialer->connect(acceptor.local_endpoint());
      auto accepted = std::make_unique<tcp::socket>(acceptor.accept());
      dialer->set_option(tcp::no_delay(true));
      accepted->set_option(tcp::no_delay(true));
      mesh.peers[j][i] = std::move(dialer);
      mesh.peers[i][j] = std::move(accepted);
    }
  }
  return mesh;
}

// Free functions, not lambdas: a lambda coroutine's captures live in the closure,
// which would be gone before the deferred operation runs.
asio::awaitable<void> send_all(tcp::socket& s, const std::vector<char>& out) {
  co_await asio::async_write(s, asio::buffer(out), asio::use_awaitable);
}
asio::awaitable<void> receive_all(tcp::socket& s, std::vector<char>& in) {
  co_await asio::async_read(s, asio::buffer(in), asio::use_awaitable);
}

// One round of party `self`: write to every peer and read from every peer, all at once.
asio::awaitable<void> round(std::vector<std::unique_ptr<tcp::socket>>& peers, std::size_t self,
                            const std::vector<char>& out, std::vector<std::vector<char>>& in) {
  using Op = decltype(asio::co_spawn(peers[0 == self ? 1 : 0]->get_executor(), std::declval<asio::awaitable<void>>(),
                                     asio::deferred));
  std::vector<Op> ops;
  for (std::size_t j = 0; j < peers.size(); ++j) {
    if (j == self) continue;
    tcp::socket& s = *peers[j];
    ops.push_back(asio::co_spawn(s.get_executor(), send_all(s, out), asio::deferred));
    ops.push_back(asio::co_spawn(s.get_executor(), receive_all(s, in[j]), asio::deferred));
  }
  auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(ops))
                             .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

// A warm-up round, then `rounds` timed ones.
asio::awaitable<void> timed_rounds(std::vector<std::unique_ptr<tcp::socket>>& peers, std::size_t self,
                                   const std::vector<char>& out, std::vector<std::vector<char>>& in,
                                   std::size_t rounds, std::vector<double>& times) {
  co_await round(peers, self, out, in);
  for (std::size_t r = 0; r < rounds; ++r) {
    const auto start = Clock::now();
    co_await round(peers, self, out, in);
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  po::options_description options("meshmpc-rawnet: plain TCP rounds among local parties (the report's baseline)");
  options.add_options()("help", "this text")("parties", po::value<std::size_t>()->default_value(3), "n >= 2")(
      "bytes", po::value<std::size_t>()->default_value(8'000'000), "bytes each party sends per round, all peers")(
      "rounds", po::value<std::size_t>()->default_value(5), "timed rounds (1..100000)");
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
  const std::size_t n = vm["parties"].as<std::size_t>(), rounds = vm["rounds"].as<std::size_t>();
  const std::size_t per_peer = std::max<std::size_t>(1, vm["bytes"].as<std::size_t>() / std::max<std::size_t>(1, n - 1));
  if (n < 2 || n > 64 || rounds < 1 || rounds > 100000) {
    std::cerr << "meshmpc-rawnet: --parties must be 2..64 and --rounds 1..100000\n";
    return 2;
  }
  Mesh mesh = connect_mesh(n);
  std::vector<std::vector<double>> times(n);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      const std::vector<char> out(per_peer, static_cast<char>(i));
      std::vector<std::vector<char>> in(n, std::vector<char>(per_peer));
      asio::co_spawn(*mesh.contexts[i], timed_rounds(mesh.peers[i], i, out, in, rounds, times[i]), asio::detached);
      mesh.contexts[i]->run_for(kTimeLimit);  // bounded in time as in count: a stalled peer ends the run
    });
  }
  for (auto& t : threads) t.join();
  auto& t0 = times[0];
  if (t0.size() != rounds) {
    std::cerr << "meshmpc-rawnet: party 0 did not finish its rounds within " << kTimeLimit.count() << " s\n";
    return 1;
  }
  std::sort(t0.begin(), t0.end());
  std::printf("%zu,%zu,%zu,%.9f,%.9f\n", n, per_peer * (n - 1), rounds, t0[t0.size() / 2], t0.front());
  return 0;
}
