#pragma once
// The body of cli::run_program (run.hpp) and what it uses: one party's run from
// connect to summary, the launcher of local parties, in-process parties. The
// library compiles it for its shipped fields (src/cli/instantiate_run.cpp); a
// program includes it only when its Session runs over a field of its own.
#include <meshmpc/cli/launcher.hpp>
#include <meshmpc/cli/logging.hpp>
#include <meshmpc/cli/parties.hpp>
#include <meshmpc/cli/run.hpp>
#include <meshmpc/cli/session_secret.hpp>
#include <meshmpc/cli/transport_plugin.hpp>
#include <meshmpc/net/inmemory.hpp>
#include <meshmpc/net/transport.hpp>
#include <meshmpc/runtime/run_local.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/logger.h>

#include <chrono>
#include <exception>
#include <memory>
#include <optional>

namespace meshmpc::cli {

// "done in 0.12 s: 5 rounds, 1.2 KiB sent"
std::string summary(std::chrono::steady_clock::duration elapsed, std::uint64_t rounds, std::uint64_t bytes_sent);
// The party's summary line (cli/summary.cpp): as above, then the path of each
// link (net/link_path.hpp), "; paths: party 1 (bob) direct, party 2 (carol)
// relayed via 203.0.113.5:7000". With `json` (a program's --json) the same as one
// JSON object: {"milliseconds":120,"rounds":5,"bytes_sent":1229,"paths":[{"party":1,
// "name":"bob","path":"direct"},{"party":2,"name":"carol","path":"relayed",
// "via":"203.0.113.5:7000"}]}.
std::string summary(std::chrono::steady_clock::duration elapsed, std::uint64_t rounds,
                    const net::NetworkStatistics& statistics, const net::Roster& roster, std::size_t self, bool json);

// Logs an exception from a party as one line; returns the exit status (1).
int report_failure(spdlog::logger& log, std::exception_ptr error);

// The roster, index and transport of this party: -M 1 needs no network; otherwise
// the --transport plugin says (transport_plugin.hpp).
boost::asio::awaitable<PartySetup> party_setup(const RunOptions& options);

// One party, start to end: connect, the session, the program, a clean shutdown;
// then its summary as one info line of its log (stderr), measured around all of
// it: wall time since the call, the session's rounds, the bytes this party put on
// the wire, the path of each link (a JSON object when the program has --json).
// Returns the exit status: 0, or 1 after logging the failure.
template <FiniteField F>
int run_party(const RunOptions& options, const F& field, PartyProgram<F> program) {
  auto log = make_logger(options);
  // -T 0 among several parties was asked for by name; say once what it means.
  if (options.threshold == 0 && options.parties > 1)
    log->warn("threshold t = 0 (-T 0): no secret is hidden from the other parties; every party can learn every input");
  const auto started = std::chrono::steady_clock::now();
  boost::asio::io_context io(1);  // run by this thread alone
  std::exception_ptr error;
  bool reported = false;  // the session's failure is logged when it happens, not after the abort
  auto party = [&]() -> boost::asio::awaitable<void> {
    PartySetup setup = co_await party_setup(options);
    if (!options.index) {  // a discovering transport just found which party this is
      RunOptions as_party = options;
      as_party.index = setup.self;
      log = make_logger(as_party);
    }
    protect_session(options, setup, *log);
    log->debug("connecting to {} parties over {}", setup.roster.size() - 1, setup.transport->name());
    auto network = co_await net::connect_network(*setup.transport, setup.roster, setup.self, options.timeout,
                                                 {.receive_timeout = options.timeout, .emulation = options.emulation});
    log->debug("links up to {} parties, {:.3f} s after the start", setup.roster.size() - 1,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    const auto rounds = co_await run_session<F>(network, field, session_options(options), program,
                                                [&](std::exception_ptr failure) {
                                                  report_failure(*log, failure);
                                                  reported = true;
                                                });
    log->info("{}", summary(std::chrono::steady_clock::now() - started, rounds, network.statistics(), setup.roster,
                            setup.self, options.vars.count("json") > 0));
  };
  boost::asio::co_spawn(io, party(), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error && reported) return 1;
  return error ? report_failure(*log, error) : 0;
}

template <FiniteField F>
int run_program(RunOptions options, const F& field, PartyProgram<F> program) {
  if (options.action != Action::run) {
    std::cout << options.text;
    return 0;
  }
  if (options.transport == "inmem") {
    const auto log = make_logger(options);
    try {
      run_local<F>(options.parties, field, session_options(options), std::move(program), options.timeout,
                   options.emulation);
      return 0;
    } catch (...) {
      return report_failure(*log, std::current_exception());
    }
  }
  std::optional<Launcher> launcher;
  if (options.local_launch()) {
    launcher.emplace(options);
    options = launcher->options();
  }
  const int status = run_party<F>(options, field, std::move(program));
  return launcher ? launcher->wait(status) : status;
}

}  // namespace meshmpc::cli
