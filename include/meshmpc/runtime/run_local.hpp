#pragma once
// run_local: all n parties of a program in this process, each on its own thread
// and io_context, linked by the in-memory transport. For tests, benchmarks and
// trying a program out; the same program runs unchanged over TCP.
#include <meshmpc/net/inmemory.hpp>
#include <meshmpc/net/transport.hpp>
#include <meshmpc/runtime/party_program.hpp>
#include <meshmpc/runtime/session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace meshmpc {

// The message of an exception, for telling the peers why this party stops.
inline std::string what(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an unknown exception";
  }
}

// One party's whole session over connected links: start, program, and a clean end
// — or, on failure, Network::abort so that the peers learn why at once (what was
// queued still goes out), then the exception. `on_failure`, when given, hears of
// the failure first, before the abort spends up to its grace period draining the
// links: a party's log then shows the first cause when it happens. Returns the
// rounds taken.
template <FiniteField F>
boost::asio::awaitable<std::uint64_t> run_session(net::Network& network, const F& field, SessionOptions options,
                                                  const PartyProgram<F>& program,
                                                  const std::function<void(std::exception_ptr)>& on_failure = {}) {
  std::exception_ptr failure;
  std::uint64_t rounds = 0;
  try {
    auto session = co_await Session<F>::start(field, network, options);
    co_await program(session);
    rounds = session.rounds();
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    if (on_failure) on_failure(failure);
    co_await network.abort(what(failure));
    std::rethrow_exception(failure);
  }
  co_await network.shutdown();
  co_return rounds;
}

// Runs `program` as every party; rethrows the first party's exception (in party
// order) after all parties have stopped. The receive timeout bounds every wait,
// so a failing party makes the others stop too. `options_of(i)` gives party i's
// options (all equal in a real session; tests make them differ on purpose).
template <FiniteField F>
void run_local(std::size_t n, const F& field, std::function<SessionOptions(std::size_t)> options_of,
               PartyProgram<F> program, std::chrono::milliseconds timeout = std::chrono::seconds(20),
               net::LinkEmulation emulation = {}) {
  net::InMemoryHub hub(n);
  net::Roster roster;
  roster.session_id = net::session_id_from_text("run_local");
  for (std::size_t i = 0; i < n; ++i) roster.parties.push_back({i, "party" + std::to_string(i), {}, {}, std::nullopt});
  std::vector<std::exception_ptr> errors(n);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i, transport = hub.transport(i)]() mutable {
      boost::asio::io_context io;
      auto party = [&]() -> boost::asio::awaitable<void> {
        auto network = co_await net::connect_network(*transport, roster, i, timeout,
                                                     {.receive_timeout = timeout, .emulation = emulation});
        (void)co_await run_session<F>(network, field, options_of(i), program);
      };
      boost::asio::co_spawn(io, party(), [&, i](std::exception_ptr e) { errors[i] = e; });
      io.run();
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

template <FiniteField F>
void run_local(std::size_t n, const F& field, SessionOptions options, PartyProgram<F> program,
               std::chrono::milliseconds timeout = std::chrono::seconds(20), net::LinkEmulation emulation = {}) {
  run_local<F>(n, field, [options](std::size_t) { return options; }, std::move(program), timeout, emulation);
}

// Compiled into the library for the shipped fields (src/runtime/instantiate_*.cpp),
// declared `extern` here and in session_ntl.hpp: a program or test does not
// compile the connection set-up and the session's start and end.
#define MESHMPC_RUN_LOCAL_INSTANTIATION(prefix, F)                                                                \
  prefix template boost::asio::awaitable<std::uint64_t> run_session<F>(                                          \
      net::Network&, const F&, SessionOptions, const PartyProgram<F>&,                                            \
      const std::function<void(std::exception_ptr)>&);                                                          \
  prefix template void run_local<F>(std::size_t, const F&, std::function<SessionOptions(std::size_t)>,            \
                                    PartyProgram<F>, std::chrono::milliseconds, net::LinkEmulation);             \
  prefix template void run_local<F>(std::size_t, const F&, SessionOptions, PartyProgram<F>, std::chrono::milliseconds, \
                                    net::LinkEmulation);

MESHMPC_RUN_LOCAL_INSTANTIATION(extern, Fp64)
MESHMPC_RUN_LOCAL_INSTANTIATION(extern, Fp127)

}  // namespace meshmpc
