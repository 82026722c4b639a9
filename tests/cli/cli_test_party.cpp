// A tiny meshmpc program for the launcher tests: it parses the shared options plus
// its own, launches all parties when asked (-M N without -I), prints who it is on
// stdout and stderr, sleeps if told, and ends with the status (or signal) it is
// told to. No network: it only exercises the cli layer.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include <meshmpc/cli/launcher.hpp>
#include <meshmpc/cli/options.hpp>
#include <meshmpc/cli/parties.hpp>
#include <meshmpc/cli/session_secret.hpp>
#include <meshmpc/error.hpp>

namespace cli = meshmpc::cli;
namespace po = boost::program_options;

int main(int argc, char** argv) {
  cli::Parser parser("cli_test_party", "Test helper for the meshmpc launcher.");
  parser.add_options()
      ("fail", po::value<std::vector<std::size_t>>()->multitoken(), "parties that end with --exit-code")
      ("exit-code", po::value<int>()->default_value(1), "status of the failing parties")
      ("die-by-signal", po::value<int>()->default_value(0), "failing parties raise this signal instead")
      ("sleep-ms", po::value<int>()->default_value(0), "sleep this long before ending")
      ("ignore-sigterm", po::bool_switch(), "parties > 0 ignore SIGTERM")
      ("show-secret", po::bool_switch(), "print the session secret this party was handed");
  try {
    cli::RunOptions opts = parser.parse(argc, argv);
    if (opts.action != cli::Action::run) {
      std::cout << opts.text;
      return 0;
    }
    std::optional<cli::Launcher> launcher;
    if (opts.local_launch()) {
      launcher.emplace(opts);
      std::string line = "children:";
      for (pid_t pid : launcher->child_pids()) line += " " + std::to_string(pid);
      std::cout << (line + "\n") << std::flush;
      opts = launcher->options();
    }
    const meshmpc::net::Roster roster = cli::make_roster(opts);
    const std::size_t i = opts.index.value();
    if (i > 0 && opts.vars["ignore-sigterm"].as<bool>()) ::signal(SIGTERM, SIG_IGN);
    // Whole lines in one write each: party 0 shares its stdout and stderr with the
    // relayed lines of the others.
    std::cout << ("party " + std::to_string(i) + " of " + std::to_string(roster.size()) + " pid " +
                  std::to_string(::getpid()) + " session " + cli::session_id_to_hex(roster.session_id) + " port " +
                  std::to_string(roster.party(i).endpoints.front().port) + "\n")
              << std::flush;
    std::cerr << ("stderr of party " + std::to_string(i) + "\n");
    // The session secret a party was handed, and whether the launcher's variable
    // is still in its environment (it must not be: programs it starts inherit it).
    if (opts.vars["show-secret"].as<bool>()) std::cout << ("party " + std::to_string(i) + " secret " +
                  (opts.session_key ? cli::session_secret_to_hex(*opts.session_key) : std::string("none")) +
                  " variable " + (std::getenv(cli::kSessionKeyVariable) ? "kept" : "gone") + "\n")
              << std::flush;

    std::this_thread::sleep_for(std::chrono::milliseconds(opts.vars["sleep-ms"].as<int>()));

    int status = 0;
    if (opts.vars.count("fail")) {
      const auto& failing = opts.vars["fail"].as<std::vector<std::size_t>>();
      if (std::find(failing.begin(), failing.end(), i) != failing.end()) {
        if (const int sig = opts.vars["die-by-signal"].as<int>(); sig != 0) {
          ::signal(sig, SIG_DFL);
          ::raise(sig);
        }
        status = opts.vars["exit-code"].as<int>();
      }
    }
    return launcher ? launcher->wait(status) : status;
  } catch (const meshmpc::Error& e) {
    std::cerr << "cli_test_party: " << e.what() << std::endl;
    return 2;
  }
}
