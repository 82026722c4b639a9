#include "output_relay.hpp"

#include "fd_io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <meshmpc/error.hpp>

namespace meshmpc::cli {

namespace {

// A line longer than this is passed on in pieces, so a child cannot make the
// launcher buffer without bound.
constexpr std::size_t kMaxLine = 64 * 1024;

}  // namespace

OutputRelay::~OutputRelay() {
  finish();
  for (Source& s : sources_) close_fd(s.fd);
  close_fd(stop_pipe_[0]);
  close_fd(stop_pipe_[1]);
}

void OutputRelay::add(std::size_t party, Stream stream, int fd) { sources_.push_back({party, stream, fd, {}}); }

void OutputRelay::start() {
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw Error("launcher: pipe: " + errno_text(errno));
  thread_ = std::thread([this] { loop(); });
}

void OutputRelay::finish() {
  if (!thread_.joinable()) return;
  if (stop_pipe_[1] >= 0) write_all(stop_pipe_[1], "x");
  thread_.join();
}

void OutputRelay::write(int fd, std::string_view text) {
  const std::lock_guard lock(output_mutex_);
  write_all(fd, text);
}

void OutputRelay::emit(const Source& s, std::string_view line) {
  if (on_line_) {
    on_line_(s.party, s.stream, line);
    return;
  }
  // One write(2) per line straight to the descriptor: a line up to PIPE_BUF
  // bytes is never split by other writers, and party 0's stdio buffers (which
  // may hold half a line of its own) are left alone.
  write(s.stream == Stream::out ? STDOUT_FILENO : STDERR_FILENO,
        "[party " + std::to_string(s.party) + "] " + std::string(line) + "\n");
}

// Returns false at end of file.
bool OutputRelay::read_from(Source& s) {
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
void OutputRelay::loop() {
  bool stopping = false;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Source*> owners;
    for (Source& s : sources_) {
      if (s.fd < 0) continue;
      fds.push_back({s.fd, POLLIN, 0});
      owners.push_back(&s);
    }
    if (fds.empty()) return;
    if (!stopping) fds.push_back({stop_pipe_[0], POLLIN, 0});
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

}  // namespace meshmpc::cli
