#pragma once
// cli::main: the main() of every meshmpc program. Given the parsed options, it
// runs the program as one party (-I i), or starts all parties on this machine
// (-M N without -I: this process is party 0, the others are child processes), or
// all parties as threads of this process (--transport inmem), or one party with
// no network (-M 1). It connects the transport, starts the Session, runs the
// program, shuts the links down cleanly and logs its summary once (wall time,
// rounds, bytes sent). Every error ends as one log line naming what failed and
// exit status 1; the launcher makes the status non-zero when any party failed.
//
//   int main(int argc, char** argv) {
//     meshmpc::cli::Parser parser("myprog", "what it computes");
//     parser.add_options()("value", po::value<std::int64_t>(), "my input");
//     return meshmpc::cli::main<Fp64>(parser, argc, argv, Fp64{}, [](const cli::RunOptions& o) {
//       const auto v = o.vars["value"].as<std::int64_t>();      // checked before the start
//       return [v](Session<Fp64>& s) -> asio::awaitable<void> { ... };
//     });
//   }
//
// This header declares what a program calls; run_program's body (the launcher,
// the transports' set-up, logging) is in run_impl.hpp, compiled into the library
// for the shipped fields, so a program compiles only its own coroutine. A
// program over a field of its own includes <meshmpc/cli/run_impl.hpp>.
#include <meshmpc/cli/options.hpp>
#include <meshmpc/runtime/party_program.hpp>
#include <meshmpc/runtime/session.hpp>

#include <exception>
#include <functional>
#include <iostream>

namespace meshmpc::cli {

// The session options the command line asks for (-T, --no-prss, --mul, -K, …).
SessionOptions session_options(const RunOptions& options);

// Opt-in, process-wide (glibc's mallopt), for a program that runs large batches:
// call it first thing in main(), before cli::main; the examples and meshmpc-bench
// do. A party allocates and frees vectors of megabytes every round of a large
// batch; by default glibc returns each to the kernel and the next round faults in
// fresh zeroed pages: a quarter of a party's time in 10^5-comparison batches
// (perf). After this call the process keeps freed memory for reuse (it does not
// shrink until exit). Nothing in the library calls it: malloc's settings are the
// program's to choose.
void keep_freed_memory();

// Runs the parsed command line's action: prints --help or --version, or runs
// `program` as the parties it names (run_impl.hpp).
template <FiniteField F>
int run_program(RunOptions options, const F& field, PartyProgram<F> program);

// Compiled into the library for the shipped fields (src/cli/instantiate_run.cpp),
// declared `extern` here and in fitted_field.hpp: a program compiles only its own
// coroutine, not the launcher, the transports' set-up and the session around it.
#define MESHMPC_CLI_RUN_INSTANTIATION(prefix, F) \
  prefix template int run_program<F>(RunOptions, const F&, PartyProgram<F>);

MESHMPC_CLI_RUN_INSTANTIATION(extern, Fp64)
MESHMPC_CLI_RUN_INSTANTIATION(extern, Fp127)

// Makes a party's program from the parsed options; it checks the program's own
// options (throwing ConfigError) before any party starts.
template <FiniteField F>
using ProgramFactory = std::function<PartyProgram<F>(const RunOptions&)>;

// Parses the command line and runs. A bad command line — or a program option its
// factory refuses — is one line on stderr and exit status 2, before anything starts.
// Each party logs its summary once (run_party). It leaves malloc's settings alone:
// a program of large batches calls keep_freed_memory() before it.
template <FiniteField F>
int main(const Parser& parser, int argc, const char* const argv[], const F& field, ProgramFactory<F> factory) {
  RunOptions options;
  PartyProgram<F> program;
  try {
    options = parser.parse(argc, argv);
    if (options.action == Action::run) program = factory(options);
  } catch (const Error& e) {
    std::cerr << options.program << (options.program.empty() ? "" : ": ") << e.what() << "\n";
    return 2;
  }
  try {
    return run_program<F>(std::move(options), field, std::move(program));
  } catch (const std::exception& e) {  // the launcher could not start the parties
    std::cerr << e.what() << "\n";
    return 1;
  }
}

}  // namespace meshmpc::cli
