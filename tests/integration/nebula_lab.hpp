#pragma once
// A Nebula lab for one test: tools/nebula-lab.sh builds namespaced hosts with
// real nebula daemons; this fixture owns it (down in the destructor, whatever
// the test did), runs meshmpc programs inside the hosts' namespaces, and opens
// sockets inside a namespace for reachability checks. Needs root, nebula,
// nebula-cert, ip and nft: skip_reason() says which is missing; labs with nebula
// 1.10+ (v2 certificates, IPv6 overlays) also newer_skip_reason().
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../cli/process.hpp"
#include "../transports/nebula/nebula_new.hpp"
#include "namespace_support.hpp"

namespace meshmpc::lab {

using namespace std::chrono_literals;

// Empty when a lab can be built here; otherwise why not, in one line.
inline std::string skip_reason() {
  if (std::string why = namespace_skip_reason({"nebula", "nebula-cert", "ip", "nft", "tc"}); !why.empty()) return why;
  if (::access("/dev/net/tun", R_OK | W_OK) != 0) return "no /dev/net/tun (nebula needs a tun device)";
  return {};
}

// Empty when a lab with nebula 1.10+ can be built here (nebula-lab.sh --nebula
// newer_nebula_dir()); otherwise why not, in one line.
inline std::string newer_skip_reason() {
  if (std::string why = skip_reason(); !why.empty()) return why;
  if (!meshmpc::test::newer_nebula_tool("nebula").empty() && meshmpc::test::newer_nebula_dir().empty()) {
    return "MESHMPC_NEBULA_NEW and MESHMPC_NEBULA_CERT_NEW must name files in one directory (the lab's --nebula)";
  }
  if (meshmpc::test::newer_nebula_dir().empty()) return meshmpc::test::kNoNewerNebula;
  return {};
}

class NebulaLab {
 public:
  // `options`: nebula-lab.sh up options besides --dir and --hosts (e.g. {"--nat-masq", "0,1"}).
  NebulaLab(std::size_t hosts, const std::vector<std::string>& options = {}) : hosts_(hosts) {
    static int counter = 0;
    std::string pattern = (std::filesystem::temp_directory_path() / "meshmpc-lab-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    // Unique per test run and per lab: the test's PID and a counter.
    std::vector<std::string> argv{"/bin/bash", MESHMPC_NEBULA_LAB_SCRIPT, "up", "--dir", dir_, "--hosts",
                                  std::to_string(hosts), "--prefix",
                                  "mnl" + std::to_string(::getpid()) + "-" + std::to_string(counter++)};
    argv.insert(argv.end(), options.begin(), options.end());
    cli::test::Process up(argv);
    const auto status = up.finish(60s);
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
      teardown();
      throw std::runtime_error("nebula-lab.sh up failed: " + up.err());
    }
    std::ifstream env(dir_ + "/lab.env");
    for (std::string line; std::getline(env, line);) {
      const auto eq = line.find('=');
      if (eq != std::string::npos) env_[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  ~NebulaLab() { teardown(); }
  NebulaLab(const NebulaLab&) = delete;
  NebulaLab& operator=(const NebulaLab&) = delete;

  std::size_t hosts() const { return hosts_; }
  const std::string& dir() const { return dir_; }
  std::string get(const std::string& key) const {
    const auto it = env_.find(key);
    if (it == env_.end()) throw std::runtime_error("lab.env has no " + key);
    return it->second;
  }
  std::string ns(std::size_t i) const { return get("LAB_NS_" + std::to_string(i)); }
  std::string overlay_ip(std::size_t i) const { return get("LAB_IP_" + std::to_string(i)); }
  std::string underlay_ip(std::size_t i) const { return get("LAB_UNDERLAY_" + std::to_string(i)); }
  std::string config(std::size_t i) const { return dir_ + "/h" + std::to_string(i) + ".yml"; }
  std::string roster() const { return dir_ + "/roster.txt"; }

  // Starts `argv` inside host i's namespace.
  std::unique_ptr<cli::test::Process> start_in(std::size_t i, std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"/usr/bin/env", "ip", "netns", "exec", ns(i)});
    return std::make_unique<cli::test::Process>(argv);
  }

  // "h0-h1 direct" lines from the nebula logs (nebula-lab.sh paths).
  std::map<std::string, std::string> paths() const {
    cli::test::Process p({"/bin/bash", MESHMPC_NEBULA_LAB_SCRIPT, "paths", "--dir", dir_});
    p.finish(20s);
    std::map<std::string, std::string> out;
    std::istringstream lines(p.out());
    for (std::string pair, path; lines >> pair >> path;) out[pair] = path;
    return out;
  }

  // True when the overlay is IPv6 (nebula-lab.sh --overlay6).
  bool overlay6() const { return get("LAB_OVERLAY6") == "1"; }

  // A socket created inside host i's namespace (a socket stays in the namespace
  // it was made in, whichever thread uses it later). -1 on failure.
  int socket_in(std::size_t i, int type = SOCK_STREAM, int family = AF_INET) const {
    int fd = -1;
    const std::string path = "/var/run/netns/" + ns(i);
    std::thread worker([&] {
      const int nsfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (nsfd < 0) return;
      if (::setns(nsfd, CLONE_NEWNET) == 0) fd = ::socket(family, type | SOCK_CLOEXEC, 0);
      ::close(nsfd);
    });
    worker.join();
    return fd;
  }

 private:
  void teardown() {
    if (dir_.empty()) return;
    cli::test::Process down({"/bin/bash", MESHMPC_NEBULA_LAB_SCRIPT, "down", "--dir", dir_});
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
