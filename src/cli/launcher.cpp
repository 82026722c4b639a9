#include "meshmpc/cli/launcher.hpp"

#include "ephemeral_tls.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "meshmpc/cli/parties.hpp"
#include "meshmpc/cli/session_secret.hpp"
#include "meshmpc/error.hpp"

namespace meshmpc::cli {

namespace {

// ---- Process-wide signal forwarding (one live Launcher at a time). ----
// The handler may run on any thread at any moment, so it reads only these atomics
// and the saved dispositions, and calls only async-signal-safe functions.
std::atomic<bool> g_live{false};
std::atomic<pid_t> g_owner{0};
std::atomic<std::atomic<pid_t>*> g_children{nullptr};
std::atomic<std::size_t> g_child_count{0};
std::atomic<long> g_grace_ms{2000};
// Set when SIGINT/SIGTERM to this process was forwarded to the children as SIGTERM:
// a child that SIGTERM then ended was stopped by the launcher, not a failure.
std::atomic<bool> g_forwarded{false};
struct sigaction g_old_int {};
struct sigaction g_old_term {};

long monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1'000'000L;
}

void sleep_ms(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1'000'000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// SIGTERM, a grace period, SIGKILL, and reap: from the signal handler, where the
// process is about to die by the default action and nobody else will reap.
void stop_children_signal_safe(std::atomic<pid_t>* children, std::size_t count) {
  const long deadline = monotonic_ms() + g_grace_ms.load();
  for (;;) {
    bool running = false;
    for (std::size_t i = 0; i < count; ++i) {
      const pid_t pid = children[i].load();
      if (pid <= 0) continue;
      int status = 0;
      const pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD)) {
        children[i].store(0);
      } else {
        running = true;
      }
    }
    if (!running) return;
    if (monotonic_ms() >= deadline) break;
    sleep_ms(10);
  }
  for (std::size_t i = 0; i < count; ++i) {
    const pid_t pid = children[i].exchange(0);
    if (pid <= 0) continue;
    kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

extern "C" void forward_signal(int sig, siginfo_t* info, void* context) {
  const int saved_errno = errno;
  // A child between fork and execve still has this handler: it must not act.
  if (getpid() == g_owner.load()) {
    std::atomic<pid_t>* const children = g_children.load();
    const std::size_t count = g_child_count.load();
    for (std::size_t i = 0; children && i < count; ++i) {
      const pid_t pid = children[i].load();
      if (pid > 0) {
        g_forwarded.store(true);
        kill(pid, SIGTERM);
      }
    }
    const struct sigaction& old = sig == SIGINT ? g_old_int : g_old_term;
    if ((old.sa_flags & SA_SIGINFO) != 0) {
      // The program's own handler (e.g. an asio::signal_set) shuts it down cleanly;
      // Launcher::wait or the destructor then reaps the children.
      if (old.sa_sigaction) old.sa_sigaction(sig, info, context);
    } else if (old.sa_handler == SIG_DFL) {
      if (children) stop_children_signal_safe(children, count);
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      sigemptyset(&dfl.sa_mask);
      sigaction(sig, &dfl, nullptr);
      raise(sig);  // pending until this handler returns, then the default action
    } else {
      old.sa_handler(sig);  // never SIG_IGN: install_handler leaves those alone
    }
  }
  errno = saved_errno;
}

void install_handler(int sig, struct sigaction& old) {
  sigaction(sig, nullptr, &old);
  // A process that ignores the signal (nohup, a shell's background job) keeps
  // ignoring it, and so do its parties.
  if ((old.sa_flags & SA_SIGINFO) == 0 && old.sa_handler == SIG_IGN) return;
  struct sigaction sa {};
  sa.sa_sigaction = forward_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaction(sig, &sa, nullptr);
}

void restore_handler(int sig, const struct sigaction& old) {
  struct sigaction current {};
  sigaction(sig, nullptr, &current);
  // Leave alone a handler the program installed after ours.
  if ((current.sa_flags & SA_SIGINFO) != 0 && current.sa_sigaction == forward_signal) sigaction(sig, &old, nullptr);
}

std::string errno_text(int e) { return std::strerror(e); }

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Free TCP ports on 127.0.0.1: bind port 0, read the port back. All sockets stay
// open until every port is read, so the ports are distinct; another process could
// still take one before the party binds it (the usual race of this method).
std::vector<std::uint16_t> pick_free_ports(std::size_t n) {
  std::vector<int> sockets;
  std::vector<std::uint16_t> ports;
  const auto cleanup = [&] {
    for (int& s : sockets) close_fd(s);
  };
  for (std::size_t i = 0; i < n; ++i) {
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
      cleanup();
      throw Error("launcher: cannot open a socket to pick a free port: " + errno_text(errno));
    }
    sockets.push_back(s);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      const int e = errno;
      cleanup();
      throw Error("launcher: cannot pick a free port on 127.0.0.1: " + errno_text(e));
    }
    ports.push_back(ntohs(addr.sin_port));
  }
  cleanup();
  return ports;
}

bool has_option(const std::vector<std::string>& argv, std::string_view name) {
  return std::any_of(argv.begin(), argv.end(), [&](const std::string& arg) {
    return arg == name || (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 &&
                           arg[name.size()] == '=');
  });
}

PartyExit exit_from_status(std::size_t party, pid_t pid, int status) {
  PartyExit e;
  e.party = party;
  e.pid = pid;
  if (WIFEXITED(status)) {
    e.exited = true;
    e.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    e.signal = WTERMSIG(status);
  }
  return e;
}

// One line-splitting reader per child stream, all served by one poll() thread.
struct Source {
  std::size_t party = 0;
  Stream stream = Stream::out;
  int fd = -1;
  std::string pending;
};

// A line longer than this is passed on in pieces, so a child cannot make the
// launcher buffer without bound.
constexpr std::size_t kMaxLine = 64 * 1024;

}  // namespace

std::string PartyExit::describe() const {
  std::string text = "party " + std::to_string(party);
  if (exited) return text + " exited with code " + std::to_string(code);
  // "SIGKILL, Killed": the name people grep for, then the C library's description.
  const char* abbrev = sigabbrev_np(signal);
  const char* description = sigdescr_np(signal);
  std::string name = abbrev ? "SIG" + std::string(abbrev) : "";
  if (description) name += (name.empty() ? "" : ", ") + std::string(description);
  return text + " was killed by signal " + std::to_string(signal) + (name.empty() ? "" : " (" + name + ")");
}

struct Launcher::State {
  // Destroyed last (after ~State stopped the children): they read their keys at start.
  std::optional<EphemeralTls> tls;
  RunOptions party0;
  net::Roster roster;
  LaunchSpec spec;
  std::vector<pid_t> pids;                          // party k at k - 1
  std::unique_ptr<std::atomic<pid_t>[]> running;    // the signal handler's view; 0 once reaped
  std::vector<bool> reaped;
  // The last signal the launcher itself sent each child (0: none). A child is
  // "stopped" only when that signal is what ended it: one that died on its own
  // (crashed, or was killed by someone else) before we stopped it is a failure.
  std::vector<int> sent;
  std::vector<PartyExit> exits;
  std::vector<Source> sources;
  int stop_pipe[2] = {-1, -1};
  int null_fd = -1;
  std::thread relay;
  bool handlers = false;
  bool waited = false;
  std::mutex output_mutex;

  ~State() {
    if (std::find(reaped.begin(), reaped.end(), false) != reaped.end()) stop_all();
    finish_relay();
    if (handlers) {
      restore_handler(SIGINT, g_old_int);
      restore_handler(SIGTERM, g_old_term);
      g_child_count.store(0);
      g_children.store(nullptr);
      g_owner.store(0);
    }
    for (Source& s : sources) close_fd(s.fd);
    close_fd(stop_pipe[0]);
    close_fd(stop_pipe[1]);
    close_fd(null_fd);
    g_live.store(false);
  }

  void record(std::size_t k, int status) {
    PartyExit e = exit_from_status(k + 1, pids[k], status);
    e.stopped = !e.exited && ((sent[k] != 0 && e.signal == sent[k]) || (g_forwarded.load() && e.signal == SIGTERM));
    exits[k] = e;
    reaped[k] = true;
    running[k].store(0);
  }

  // Blocking wait for child k (index k - 1 of party k).
  void reap(std::size_t k) {
    int status = 0;
    pid_t r;
    while ((r = waitpid(pids[k], &status, 0)) < 0 && errno == EINTR) {
    }
    if (r < 0) {
      // Reaped elsewhere (the program's own waitpid(-1)); its status is lost.
      exits[k] = PartyExit{k + 1, pids[k], false, 0, 0, sent[k] != 0};
      reaped[k] = true;
      running[k].store(0);
      return;
    }
    record(k, status);
  }

  // Reaps child k if it has ended, without waiting; false while it runs.
  bool reap_if_ended(std::size_t k) {
    int status = 0;
    const pid_t r = waitpid(pids[k], &status, WNOHANG);
    if (r == pids[k]) {
      record(k, status);
    } else if (r < 0 && errno != EINTR) {
      reap(k);  // ECHILD: records it as gone
    } else {
      return false;
    }
    return true;
  }

  void signal_child(std::size_t k, int sig) {
    sent[k] = sig;
    kill(pids[k], sig);
  }

  void stop_all() {
    // Children that already ended (a crash, a kill from outside) are reaped first,
    // so that they are reported for what happened to them, not as stopped by us.
    for (std::size_t k = 0; k < pids.size(); ++k) {
      if (!reaped[k] && !reap_if_ended(k)) signal_child(k, SIGTERM);
    }
    const auto deadline = std::chrono::steady_clock::now() + spec.grace;
    for (;;) {
      bool any = false;
      for (std::size_t k = 0; k < pids.size(); ++k) {
        if (!reaped[k] && !reap_if_ended(k)) any = true;
      }
      if (!any || std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (std::size_t k = 0; k < pids.size(); ++k) {
      if (reaped[k]) continue;
      signal_child(k, SIGKILL);
      reap(k);
    }
  }

  void emit(const Source& s, std::string_view line) {
    if (spec.on_line) {
      spec.on_line(s.party, s.stream, line);
      return;
    }
    // One write(2) per line straight to the descriptor: a line up to PIPE_BUF
    // bytes is never split by other writers, and party 0's stdio buffers (which
    // may hold half a line of its own) are left alone.
    const std::string text = "[party " + std::to_string(s.party) + "] " + std::string(line) + "\n";
    const std::lock_guard lock(output_mutex);
    write_all(s.stream == Stream::out ? STDOUT_FILENO : STDERR_FILENO, text);
  }

  void report(const std::string& message) {
    if (spec.on_report) {
      spec.on_report(message);
      return;
    }
    const std::lock_guard lock(output_mutex);
    write_all(STDERR_FILENO, "[launcher] " + message + "\n");
  }

  // Returns false at end of file.
  bool read_from(Source& s) {
    char buffer[16 * 1024];
    ssize_t n;
    while ((n = ::read(s.fd, buffer, sizeof buffer)) < 0 && errno == EINTR) {
    }
    if (n <= 0) {
      if (!s.pending.empty()) emit(s, s.pending);
      s.pending.clear();
      close_fd(s.fd);
      return false;
    }
    s.pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl; (nl = s.pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      emit(s, std::string_view(s.pending).substr(start, nl - start));
    }
    s.pending.erase(0, start);
    if (s.pending.size() >= kMaxLine) {
      emit(s, s.pending);
      s.pending.clear();
    }
    return true;
  }

  // Relays until every stream is at end of file, or until told to stop (all
  // children reaped) and nothing more is waiting: a grandchild that inherited a
  // pipe must not keep the launcher alive.
  void relay_loop() {
    bool stopping = false;
    for (;;) {
      std::vector<pollfd> fds;
      std::vector<Source*> owners;
      for (Source& s : sources) {
        if (s.fd < 0) continue;
        fds.push_back({s.fd, POLLIN, 0});
        owners.push_back(&s);
      }
      if (fds.empty()) return;
      if (!stopping) fds.push_back({stop_pipe[0], POLLIN, 0});
      const int ready = ::poll(fds.data(), fds.size(), stopping ? 0 : -1);
      if (ready < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (ready == 0) return;  // stopping and drained
      for (std::size_t i = 0; i < owners.size(); ++i) {
        if (fds[i].revents != 0) read_from(*owners[i]);
      }
      if (!stopping && fds.back().revents != 0) stopping = true;
    }
  }

  void finish_relay() {
    if (!relay.joinable()) return;
    if (stop_pipe[1] >= 0) write_all(stop_pipe[1], "x");
    relay.join();
  }

  pid_t spawn(std::size_t party, const std::vector<std::string>& argv, int out_fd, int err_fd) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    // This process's environment plus the session key (built before fork: the
    // child may only make async-signal-safe calls).
    const std::string key_entry = std::string(kSessionKeyVariable) + "=" + session_secret_to_hex(*party0.session_key);
    std::vector<char*> environment;
    const std::string key_prefix = std::string(kSessionKeyVariable) + "=";
    for (char** entry = environ; *entry; ++entry) {
      if (std::strncmp(*entry, key_prefix.c_str(), key_prefix.size()) != 0) environment.push_back(*entry);
    }
    environment.push_back(const_cast<char*>(key_entry.c_str()));
    environment.push_back(nullptr);
    int status_pipe[2];
    if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
      throw Error("launcher: cannot start party " + std::to_string(party) + ": pipe: " + errno_text(errno));
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int e = errno;
      close_fd(status_pipe[0]);
      close_fd(status_pipe[1]);
      throw Error("launcher: cannot start party " + std::to_string(party) + ": fork: " + errno_text(e));
    }
    if (pid == 0) {
      // The child of a possibly multi-threaded process: async-signal-safe calls only.
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) _exit(127);
      dup2(null_fd, 0);
      dup2(out_fd, 1);
      dup2(err_fd, 2);
      // No other descriptor of the launcher (other children's pipes) reaches the child.
      const unsigned keep = static_cast<unsigned>(status_pipe[1]);
      if (keep > 3) close_range(3, keep - 1, 0);
      close_range(keep + 1, ~0U, 0);
      execve(spec.executable.c_str(), args.data(), environment.data());
      const int e = errno;
      [[maybe_unused]] const ssize_t w = ::write(status_pipe[1], &e, sizeof e);
      _exit(127);
    }
    close_fd(status_pipe[1]);
    int exec_errno = 0;
    ssize_t n;
    while ((n = ::read(status_pipe[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
    }
    close_fd(status_pipe[0]);
    if (n == static_cast<ssize_t>(sizeof exec_errno)) {
      int status = 0;
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      throw Error("launcher: cannot start party " + std::to_string(party) + ": " + spec.executable + ": " +
                  errno_text(exec_errno));
    }
    return pid;
  }
};

Launcher::Launcher(const RunOptions& options, LaunchSpec spec) {
  if (options.index) {
    throw ConfigError("launcher: these options are for party " + std::to_string(*options.index) +
                      " only (-I given); a local launch takes -M N without -I");
  }
  if (g_live.exchange(true)) throw Error("launcher: another Launcher is already running in this process");
  state_ = std::make_unique<State>();
  State& s = *state_;
  s.spec = std::move(spec);
  const std::size_t n = options.parties;
  const std::size_t children = n - 1;

  std::vector<std::uint16_t> ports;
  if (options.base_port) {
    for (std::size_t i = 0; i < n; ++i) ports.push_back(static_cast<std::uint16_t>(*options.base_port + i));
  } else if (n > 1) {
    ports = pick_free_ports(n);
  }
  s.party0 = options;
  s.party0.index = 0;
  s.party0.session_id = options.session_id.value_or(random_session_id());
  // Every party is a child of this process: a fresh random secret, better than any
  // passphrase, handed to the children in their environment (session_secret.hpp).
  s.party0.session_key = random_session_secret();
  s.party0.addresses.clear();
  if (options.ssl && options.ssl_ca.empty() && n > 1) {
    s.tls.emplace(n);
    s.party0.ssl_key = s.tls->key_file(0);
    s.party0.ssl_cert = s.tls->cert_file(0);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint16_t port = n > 1 ? ports[i] : options.effective_base_port();
    s.party0.addresses.push_back({i, "party" + std::to_string(i), {{"127.0.0.1", port}}, "", std::nullopt});
    if (s.tls) s.party0.addresses.back().tls_fingerprint = s.tls->fingerprint(i);
  }
  s.roster = make_roster(s.party0);

  s.pids.assign(children, 0);
  s.reaped.assign(children, true);  // nothing to reap until started
  s.sent.assign(children, 0);
  s.exits.resize(children);
  s.running = std::make_unique<std::atomic<pid_t>[]>(children);
  for (std::size_t k = 0; k < children; ++k) s.running[k].store(0);
  if (children == 0) return;

  if (::pipe2(s.stop_pipe, O_CLOEXEC) != 0) throw Error("launcher: pipe: " + errno_text(errno));
  s.null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (s.null_fd < 0) throw Error("launcher: cannot open /dev/null: " + errno_text(errno));

  g_grace_ms.store(static_cast<long>(s.spec.grace.count()));
  g_forwarded.store(false);
  g_children.store(s.running.get());
  g_child_count.store(children);
  g_owner.store(::getpid());
  install_handler(SIGINT, g_old_int);
  install_handler(SIGTERM, g_old_term);
  s.handlers = true;

  std::vector<std::string> base = s.spec.argv.empty() ? options.argv : s.spec.argv;
  if (base.empty()) base.push_back(options.program);
  std::vector<std::string> added;
  for (const net::PartyInfo& party : s.roster.parties) {
    added.push_back("-P");
    added.push_back(net::to_string(party.endpoints.front()) +
                    (party.tls_fingerprint ? " " + net::tls::format_fingerprint(*party.tls_fingerprint) : ""));
  }
  if (!has_option(base, "--session-id")) {
    added.push_back("--session-id");
    added.push_back(session_id_to_hex(s.roster.session_id));
  }

  for (std::size_t k = 0; k < children; ++k) {
    const std::size_t party = k + 1;
    std::vector<std::string> argv{base.front(), "-I", std::to_string(party)};
    argv.insert(argv.end(), added.begin(), added.end());
    if (s.tls) {
      for (const std::string& arg : {std::string("--ssl-key"), s.tls->key_file(party), std::string("--ssl-cert"),
                                     s.tls->cert_file(party)}) {
        argv.push_back(arg);
      }
    }
    argv.insert(argv.end(), base.begin() + 1, base.end());

    int out[2] = {-1, -1};
    int err[2] = {-1, -1};
    if (options.output_file) {
      // MPyC: party i > 0 appends its output to party<M>_<i>.log, after the command.
      const std::string file = output_file_name(options, party);
      out[1] = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (out[1] < 0) throw Error("launcher: cannot open " + file + ": " + errno_text(errno));
      std::string header = "\n$>";
      for (const std::string& a : argv) header += " " + a;
      write_all(out[1], header + "\n");
      err[1] = out[1];
    } else {
      if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        const int e = errno;
        for (int* fd : {&out[0], &out[1], &err[0], &err[1]}) close_fd(*fd);
        throw Error("launcher: pipe: " + errno_text(e));
      }
      s.sources.push_back({party, Stream::out, out[0], {}});
      s.sources.push_back({party, Stream::err, err[0], {}});
    }
    pid_t pid = 0;
    try {
      pid = s.spawn(party, argv, out[1], err[1]);
    } catch (...) {
      close_fd(out[1]);
      if (err[1] != out[1]) close_fd(err[1]);
      throw;  // ~State stops the children started so far
    }
    close_fd(out[1]);
    if (err[1] != out[1]) close_fd(err[1]);
    s.pids[k] = pid;
    s.reaped[k] = false;
    s.running[k].store(pid);
  }
  s.relay = std::thread([&s] { s.relay_loop(); });
}

Launcher::~Launcher() = default;

const RunOptions& Launcher::options() const { return state_->party0; }
const net::Roster& Launcher::roster() const { return state_->roster; }
std::vector<pid_t> Launcher::child_pids() const { return state_->pids; }
const std::vector<PartyExit>& Launcher::exits() const { return state_->exits; }

void Launcher::terminate() { state_->stop_all(); }

int Launcher::wait(int own_status) {
  State& s = *state_;
  if (s.waited) throw Error("launcher: wait() was already called");
  s.waited = true;
  if (own_status != 0) {
    s.stop_all();
  } else {
    for (std::size_t k = 0; k < s.pids.size(); ++k) {
      if (!s.reaped[k]) s.reap(k);
    }
  }
  s.finish_relay();
  bool failed = false;
  std::string stopped;
  for (const PartyExit& e : s.exits) {
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
