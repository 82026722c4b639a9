#include <meshmpc/cli/launcher.hpp>

#include "child_process.hpp"
#include "ephemeral_tls.hpp"
#include "fd_io.hpp"
#include "free_ports.hpp"
#include "output_relay.hpp"
#include "signal_forwarding.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include <meshmpc/cli/parties.hpp>
#include <meshmpc/cli/session_secret.hpp>
#include <meshmpc/error.hpp>

namespace meshmpc::cli {

namespace {

bool has_option(const std::vector<std::string>& argv, std::string_view name) {
  return std::any_of(argv.begin(), argv.end(), [&](const std::string& arg) {
    return arg == name || (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 &&
                           arg[name.size()] == '=');
  });
}

void refuse_party_options(const RunOptions& options) {
  if (options.index) {
    throw ConfigError("launcher: these options are for party " + std::to_string(*options.index) +
                      " only (-I given); a local launch takes -M N without -I");
  }
}

// Party i listens on ports[i]: base port + i with -B, else free ports. -M 1 listens
// nowhere, but its roster still names the base port.
std::vector<std::uint16_t> local_ports(const RunOptions& options) {
  const std::size_t n = options.parties;
  std::vector<std::uint16_t> ports;
  if (options.base_port) {
    for (std::size_t i = 0; i < n; ++i) ports.push_back(static_cast<std::uint16_t>(*options.base_port + i));
  } else if (n > 1) {
    ports = pick_free_ports(n);
  } else {
    ports.assign(n, options.effective_base_port());
  }
  return ports;
}

// What every child's command line has: the program's argv (argv[0] first) and
// the options the launcher inserts after argv[0] for all of them.
struct ChildCommand {
  std::vector<std::string> base;
  std::vector<std::string> added;
};

ChildCommand child_command(const RunOptions& options, const LaunchSpec& spec, const net::Roster& roster) {
  ChildCommand command;
  command.base = spec.argv.empty() ? options.argv : spec.argv;
  if (command.base.empty()) command.base.push_back(options.program);
  for (const net::PartyInfo& party : roster.parties) {
    command.added.push_back("-P");
    command.added.push_back(net::to_string(party.endpoints.front()) +
                            (party.tls_fingerprint ? " " + net::tls::format_fingerprint(*party.tls_fingerprint) : ""));
  }
  if (!has_option(command.base, "--session-id")) {
    command.added.push_back("--session-id");
    command.added.push_back(session_id_to_hex(roster.session_id));
  }
  return command;
}

// "prog -I 2 -P … --session-id … [--ssl-key K --ssl-cert C] <the program's own arguments>"
std::vector<std::string> child_argv(std::size_t party, const ChildCommand& command, const EphemeralTls* tls) {
  std::vector<std::string> argv{command.base.front(), "-I", std::to_string(party)};
  argv.insert(argv.end(), command.added.begin(), command.added.end());
  if (tls) {
    for (const std::string& arg : {std::string("--ssl-key"), tls->key_file(party), std::string("--ssl-cert"),
                                   tls->cert_file(party)}) {
      argv.push_back(arg);
    }
  }
  argv.insert(argv.end(), command.base.begin() + 1, command.base.end());
  return argv;
}

// MPyC's --output-file: party i > 0 appends its output to party<M>_<i>.log, after
// the command. Returns the descriptor, for both stdout and stderr.
int open_output_file(const RunOptions& options, std::size_t party, const std::vector<std::string>& argv) {
  const std::string file = output_file_name(options, party);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("launcher: cannot open " + file + ": " + errno_text(errno));
  std::string header = "\n$>";
  for (const std::string& a : argv) header += " " + a;
  write_all(fd, header + "\n");
  return fd;
}

}  // namespace

struct Launcher::State {
  LauncherSlot slot;  // first, so released last
  // Destroyed after ~State stopped the children: they read their keys at start.
  std::optional<EphemeralTls> tls;
  RunOptions party0;
  net::Roster roster;
  LaunchSpec spec;
  Children children;
  OutputRelay relay;
  int null_fd = -1;
  bool forwarding = false;
  bool waited = false;

  State(std::size_t child_count, LaunchSpec launch)
      : spec(std::move(launch)), children(child_count), relay(spec.on_line) {}

  ~State() {
    if (children.any_unreaped()) children.stop_all(spec.grace);
    relay.finish();
    if (forwarding) stop_forwarding_signals();
    close_fd(null_fd);
  }

  // Party 0's options and the roster: loopback addresses, the session id (unless
  // --session-id was given), a fresh session key, and with --ssl but no CA a key
  // and certificate per party for this run.
  void address_parties(const RunOptions& options) {
    const std::size_t n = options.parties;
    const std::vector<std::uint16_t> ports = local_ports(options);
    party0 = options;
    party0.index = 0;
    party0.session_id = options.session_id.value_or(random_session_id());
    // Every party is a child of this process: a fresh random secret, better than any
    // passphrase, handed to the children in their environment (session_secret.hpp).
    party0.session_key = random_session_secret();
    party0.addresses.clear();
    if (options.ssl && options.ssl_ca.empty() && n > 1) {
      tls.emplace(n);
      party0.ssl_key = tls->key_file(0);
      party0.ssl_cert = tls->cert_file(0);
    }
    for (std::size_t i = 0; i < n; ++i) {
      party0.addresses.push_back({i, "party" + std::to_string(i), {{"127.0.0.1", ports[i]}}, "", std::nullopt});
      if (tls) party0.addresses.back().tls_fingerprint = tls->fingerprint(i);
    }
    roster = make_roster(party0);
  }

  // From here on no child outlives a signal to this process.
  void forward_signals() {
    null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) throw Error("launcher: cannot open /dev/null: " + errno_text(errno));
    cli::forward_signals(children.running(), spec.grace);
    forwarding = true;
  }

  // Starts party k + 1 with its output going to the relay (or to its --output-file).
  void start_child(std::size_t k, const ChildCommand& command) {
    const std::size_t party = k + 1;
    const std::vector<std::string> argv = child_argv(party, command, tls ? &*tls : nullptr);
    ChildStdio stdio{null_fd, -1, -1};
    if (party0.output_file) {
      stdio.out = stdio.err = open_output_file(party0, party, argv);
    } else {
      int out[2] = {-1, -1};
      int err[2] = {-1, -1};
      if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        const int e = errno;
        for (int* fd : {&out[0], &out[1], &err[0], &err[1]}) close_fd(*fd);
        throw Error("launcher: pipe: " + errno_text(e));
      }
      relay.add(party, Stream::out, out[0]);
      relay.add(party, Stream::err, err[0]);
      stdio.out = out[1];
      stdio.err = err[1];
    }
    const auto close_write_ends = [&] {
      close_fd(stdio.out);
      if (stdio.err != stdio.out) close_fd(stdio.err);
    };
    try {
      const std::string key = std::string(kSessionKeyVariable) + "=" + session_secret_to_hex(*party0.session_key);
      children.started(k, spawn_child(party, spec.executable, argv, key, stdio));
    } catch (...) {
      close_write_ends();
      throw;  // ~State stops the children started so far
    }
    close_write_ends();
  }

  void report(const std::string& message) {
    if (spec.on_report) {
      spec.on_report(message);
      return;
    }
    relay.write(STDERR_FILENO, "[launcher] " + message + "\n");
  }
};

Launcher::Launcher(const RunOptions& options, LaunchSpec spec) {
  refuse_party_options(options);
  state_ = std::make_unique<State>(options.parties - 1, std::move(spec));
  State& s = *state_;
  s.address_parties(options);
  if (s.children.size() == 0) return;
  s.forward_signals();
  const ChildCommand command = child_command(options, s.spec, s.roster);
  for (std::size_t k = 0; k < s.children.size(); ++k) s.start_child(k, command);
  s.relay.start();
}

Launcher::~Launcher() = default;

const RunOptions& Launcher::options() const { return state_->party0; }
const net::Roster& Launcher::roster() const { return state_->roster; }
std::vector<pid_t> Launcher::child_pids() const { return state_->children.pids(); }
const std::vector<PartyExit>& Launcher::exits() const { return state_->children.exits(); }

void Launcher::terminate() { state_->children.stop_all(state_->spec.grace); }

int Launcher::wait(int own_status) {
  State& s = *state_;
  if (s.waited) throw Error("launcher: wait() was already called");
  s.waited = true;
  if (own_status != 0) {
    s.children.stop_all(s.spec.grace);
  } else {
    s.children.reap_all();
  }
  s.relay.finish();
  bool failed = false;
  std::string stopped;
  for (const PartyExit& e : s.children.exits()) {
    if (e.ok()) continue;
    // Ended by the launcher's own SIGTERM/SIGKILL after party 0 failed: not a
    // failure of its own, but said once below.
    if (e.stopped) {
      stopped += (stopped.empty() ? "" : ", ") + std::to_string(e.party);
      continue;
    }
    failed = true;
    s.report(e.describe());
  }
  if (!stopped.empty()) {
    const std::string which = (stopped.find(',') == std::string::npos ? "party " : "parties ") + stopped;
    s.report(own_status != 0 ? "party 0 failed (status " + std::to_string(own_status) + "); stopped " + which
                             : "stopped " + which);
  }
  if (own_status != 0) return own_status;
  return failed ? 1 : 0;
}

}  // namespace meshmpc::cli
