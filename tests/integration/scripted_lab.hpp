#pragma once
// What the namespace labs' fixtures share (nebula_lab.hpp, nat_lab.hpp): a lab
// script's "up" into a fresh temporary directory under a prefix unique to this
// test process, its lab.env read back, programs started inside a host's network
// namespace, sockets made there, and "down" (namespaces, recorded processes) in
// the destructor whatever the test did.
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
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../cli/process.hpp"

namespace meshmpc::lab {

using namespace std::chrono_literals;

class ScriptedLab {
 public:
  // Runs `script` up --dir D --hosts N --prefix <stem><pid>-<k> `options`.
  ScriptedLab(std::string script, const std::string& stem, std::size_t hosts, const std::vector<std::string>& options)
      : script_(std::move(script)), hosts_(hosts) {
    static int counter = 0;
    std::string pattern = (std::filesystem::temp_directory_path() / ("meshmpc-" + stem + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    // Unique per test process and per lab: parallel tests build labs side by side.
    std::vector<std::string> argv{"/bin/bash", script_, "up", "--dir", dir_, "--hosts", std::to_string(hosts),
                                  "--prefix", stem + std::to_string(::getpid()) + "-" + std::to_string(counter++)};
    argv.insert(argv.end(), options.begin(), options.end());
    cli::test::Process up(argv);
    const auto status = up.finish(60s);
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
      teardown();
      throw std::runtime_error(std::filesystem::path(script_).filename().string() + " up failed: " + up.err());
    }
    std::ifstream env(dir_ + "/lab.env");
    for (std::string line; std::getline(env, line);) {
      const auto eq = line.find('=');
      if (eq != std::string::npos) env_[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  ~ScriptedLab() { teardown(); }
  ScriptedLab(const ScriptedLab&) = delete;
  ScriptedLab& operator=(const ScriptedLab&) = delete;

  std::size_t hosts() const { return hosts_; }
  const std::string& dir() const { return dir_; }
  const std::string& script() const { return script_; }
  std::string get(const std::string& key) const {
    const auto it = env_.find(key);
    if (it == env_.end()) throw std::runtime_error("lab.env has no " + key);
    return it->second;
  }
  std::string ns(std::size_t i) const { return get("LAB_NS_" + std::to_string(i)); }

  // Starts `argv` inside host i's namespace.
  std::unique_ptr<cli::test::Process> start_in(std::size_t i, const std::vector<std::string>& argv) const {
    return start_in_namespace(ns(i), argv);
  }
  // ip netns exec execs the command: the Process's PID is the program's own.
  static std::unique_ptr<cli::test::Process> start_in_namespace(const std::string& ns, std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"/usr/bin/env", "ip", "netns", "exec", ns});
    return std::make_unique<cli::test::Process>(argv);
  }

  // A socket made inside namespace `ns` (it stays there, whichever thread uses it
  // later; setns changes only the calling thread, so a thread of its own). -1 on failure.
  static int socket_in_namespace(const std::string& ns, int type, int family) {
    int fd = -1;
    const std::string path = "/var/run/netns/" + ns;
    std::thread worker([&] {
      const int nsfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (nsfd < 0) return;
      if (::setns(nsfd, CLONE_NEWNET) == 0) fd = ::socket(family, type | SOCK_CLOEXEC, 0);
      ::close(nsfd);
    });
    worker.join();
    return fd;
  }
  int socket_in(std::size_t i, int type = SOCK_STREAM, int family = AF_INET) const {
    return socket_in_namespace(ns(i), type, family);
  }

  // A TCP connection from inside namespace `ns` to ip:port (IPv4 or IPv6 by the
  // address's form), bounded: 0 when it connected (then closed), else the errno
  // (ECONNREFUSED: a RST came back; ETIMEDOUT: nothing answered within `timeout`).
  static int connect_from(const std::string& ns, const std::string& ip, std::uint16_t port,
                          std::chrono::milliseconds timeout) {
    sockaddr_storage to{};
    socklen_t length = 0;
    if (ip.find(':') != std::string::npos) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&to);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(port);
      ::inet_pton(AF_INET6, ip.c_str(), &in6->sin6_addr);
      length = sizeof(sockaddr_in6);
    } else {
      auto* in = reinterpret_cast<sockaddr_in*>(&to);
      in->sin_family = AF_INET;
      in->sin_port = htons(port);
      ::inet_pton(AF_INET, ip.c_str(), &in->sin_addr);
      length = sizeof(sockaddr_in);
    }
    const int fd = socket_in_namespace(ns, SOCK_STREAM | SOCK_NONBLOCK, to.ss_family);
    if (fd < 0) return EBADF;
    int result = ::connect(fd, reinterpret_cast<const sockaddr*>(&to), length) == 0 ? 0 : errno;
    if (result == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
        socklen_t size = sizeof result;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &result, &size);
      } else {
        result = ETIMEDOUT;
      }
    }
    ::close(fd);
    return result;
  }
  int connect_from(std::size_t i, const std::string& ip, std::uint16_t port,
                   std::chrono::milliseconds timeout = 2000ms) const {
    return connect_from(ns(i), ip, port, timeout);
  }

  // Stops what the lab started and deletes its namespaces now (the destructor
  // does it otherwise).
  void down() { teardown(); }

 private:
  void teardown() {
    if (dir_.empty()) return;
    cli::test::Process down({"/bin/bash", script_, "down", "--dir", dir_});
    down.finish(30s);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    dir_.clear();
  }

  std::string script_;
  std::size_t hosts_;
  std::string dir_;
  std::map<std::string, std::string> env_;
};

}  // namespace meshmpc::lab
