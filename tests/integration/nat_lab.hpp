#pragma once
// A NAT lab for one test: tools/nat-lab.sh builds a rendezvous host on a
// "public" segment and party hosts on a LAN, behind their own NATs (port-
// preserving or random ports) or public, each a network namespace; this fixture
// owns it (down in the destructor, whatever the test did) and runs programs
// inside the hosts' namespaces. Needs root, ip, nft and new network namespaces:
// nat_skip_reason() says which is missing, in one line.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../cli/process.hpp"
#include "namespace_support.hpp"

namespace meshmpc::lab {

using namespace std::chrono_literals;

// Empty when a NAT lab can be built here; otherwise why not, in one line.
inline std::string nat_skip_reason() { return namespace_skip_reason({"ip", "nft", "setsid"}); }

// Waits for all of `processes` to exit, within `limit`, reading every one's
// output (and `also_read`'s, a server that keeps running) as it comes: a pipe
// nobody reads stalls a process that logs more than the pipe holds. A status
// per process, nullopt for one still running at the limit.
inline std::vector<std::optional<int>> finish_together(const std::vector<cli::test::Process*>& processes,
                                                       std::chrono::milliseconds limit,
                                                       cli::test::Process* also_read = nullptr) {
  const auto never = [](const std::string&, const std::string&) { return false; };
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::vector<std::optional<int>> status(processes.size());
  for (;;) {
    bool all = true;
    for (std::size_t i = 0; i < processes.size(); ++i) {
      if (status[i]) continue;
      processes[i]->read_until(never, 20ms);
      status[i] = processes[i]->wait_for(0ms);
      // Exited: what is left in its pipes (bounded: the writers are gone).
      if (status[i]) processes[i]->finish(2s);
      all = all && status[i].has_value();
    }
    if (also_read) also_read->read_until(never, 10ms);
    if (all || std::chrono::steady_clock::now() >= deadline) return status;
    // Reads return at once from pipes that have ended: no busy loop meanwhile.
    std::this_thread::sleep_for(5ms);
  }
}

class NatLab {
 public:
  // `options`: nat-lab.sh up options besides --dir, --hosts and --prefix
  // (e.g. {"--mode", "random"}).
  NatLab(std::size_t hosts, const std::vector<std::string>& options) : hosts_(hosts) {
    static int counter = 0;
    std::string pattern = (std::filesystem::temp_directory_path() / "meshmpc-natlab-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    // Unique per test process and per lab: parallel tests build labs side by side.
    std::vector<std::string> argv{"/bin/bash", MESHMPC_NAT_LAB_SCRIPT, "up", "--dir", dir_, "--hosts",
                                  std::to_string(hosts), "--prefix",
                                  "nat" + std::to_string(::getpid()) + "-" + std::to_string(counter++)};
    argv.insert(argv.end(), options.begin(), options.end());
    cli::test::Process up(argv);
    const auto status = up.finish(60s);
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
      teardown();
      throw std::runtime_error("nat-lab.sh up failed: " + up.err());
    }
    std::ifstream env(dir_ + "/lab.env");
    for (std::string line; std::getline(env, line);) {
      const auto eq = line.find('=');
      if (eq != std::string::npos) env_[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  ~NatLab() { teardown(); }
  NatLab(const NatLab&) = delete;
  NatLab& operator=(const NatLab&) = delete;

  std::size_t hosts() const { return hosts_; }
  const std::string& dir() const { return dir_; }
  std::string get(const std::string& key) const {
    const auto it = env_.find(key);
    if (it == env_.end()) throw std::runtime_error("lab.env has no " + key);
    return it->second;
  }
  std::string ns(std::size_t i) const { return get("LAB_NS_" + std::to_string(i)); }
  // lan, portpreserving, random or public.
  std::string kind(std::size_t i) const { return get("LAB_KIND_" + std::to_string(i)); }
  // Party i's own address, and the one its connections come from on the public segment.
  std::string ip(std::size_t i) const { return get("LAB_IP_" + std::to_string(i)); }
  std::string public_ip(std::size_t i) const { return get("LAB_PUBLIC_IP_" + std::to_string(i)); }
  std::string rendezvous_ns() const { return get("LAB_NS_RENDEZVOUS"); }
  std::string rendezvous_ip() const { return get("LAB_RENDEZVOUS_IP"); }

  // Starts `argv` inside party i's namespace.
  std::unique_ptr<cli::test::Process> start_in(std::size_t i, const std::vector<std::string>& argv) const {
    return start_in_namespace(ns(i), argv);
  }
  // Starts `argv` inside the rendezvous host's namespace.
  std::unique_ptr<cli::test::Process> start_in_rendezvous(const std::vector<std::string>& argv) const {
    return start_in_namespace(rendezvous_ns(), argv);
  }

  // A TCP connection from inside namespace `ns` to ip:port, bounded: 0 when it
  // connected (then closed), else the errno (ECONNREFUSED: a RST came back;
  // ETIMEDOUT: nothing answered within `timeout`).
  static int connect_from(const std::string& ns, const std::string& ip, std::uint16_t port,
                          std::chrono::milliseconds timeout) {
    int result = EBADF;
    const std::string path = "/var/run/netns/" + ns;
    // setns changes only this thread's namespace: a thread of its own.
    std::thread worker([&] {
      const int nsfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (nsfd < 0) return;
      const bool inside = ::setns(nsfd, CLONE_NEWNET) == 0;
      ::close(nsfd);
      const int fd = inside ? ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0) : -1;
      if (fd < 0) return;
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(port);
      ::inet_pton(AF_INET, ip.c_str(), &to.sin_addr);
      result = ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0 ? 0 : errno;
      if (result == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
          socklen_t length = sizeof result;
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &result, &length);
        } else {
          result = ETIMEDOUT;
        }
      }
      ::close(fd);
    });
    worker.join();
    return result;
  }
  int connect_from(std::size_t i, const std::string& ip, std::uint16_t port, std::chrono::milliseconds timeout) const {
    return connect_from(ns(i), ip, port, timeout);
  }

  // True once something accepts TCP connections at the rendezvous host's
  // address and `port` (probed from inside that host, not through a NAT), false
  // after `timeout`.
  bool rendezvous_listening(std::uint16_t port, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (connect_from(rendezvous_ns(), rendezvous_ip(), port, 1000ms) != 0) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(100ms);
    }
    return true;
  }

  // Starts `argv` through nat-lab.sh start (recorded: the lab's teardown stops
  // it and its children); where: "rendezvous" or a party index. Its PID.
  pid_t start_recorded(const std::string& where, const std::vector<std::string>& argv) const {
    std::vector<std::string> command{"/bin/bash", MESHMPC_NAT_LAB_SCRIPT, "start", "--dir", dir_, "--in", where, "--"};
    command.insert(command.end(), argv.begin(), argv.end());
    cli::test::Process start(command);
    const auto status = start.finish(20s);
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
      throw std::runtime_error("nat-lab.sh start failed: " + start.err());
    }
    return static_cast<pid_t>(std::stol(start.out()));
  }

  // Stops what the lab started and deletes its namespaces now (the destructor
  // does it otherwise).
  void down() { teardown(); }

 private:
  static std::unique_ptr<cli::test::Process> start_in_namespace(const std::string& ns, std::vector<std::string> argv) {
    // ip netns exec execs the command: the Process's PID is the program's own.
    argv.insert(argv.begin(), {"/usr/bin/env", "ip", "netns", "exec", ns});
    return std::make_unique<cli::test::Process>(argv);
  }

  void teardown() {
    if (dir_.empty()) return;
    cli::test::Process down({"/bin/bash", MESHMPC_NAT_LAB_SCRIPT, "down", "--dir", dir_});
    down.finish(30s);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    dir_.clear();
  }

  std::size_t hosts_;
  std::string dir_;
  std::map<std::string, std::string> env_;
};

}  // namespace meshmpc::lab
