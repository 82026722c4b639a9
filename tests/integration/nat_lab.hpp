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
#include "scripted_lab.hpp"

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

class NatLab : public ScriptedLab {
 public:
  // `options`: nat-lab.sh up options besides --dir, --hosts and --prefix
  // (e.g. {"--mode", "random"}).
  NatLab(std::size_t hosts, const std::vector<std::string>& options)
      : ScriptedLab(MESHMPC_NAT_LAB_SCRIPT, "nat", hosts, options) {}

  // lan, portpreserving, random or public.
  std::string kind(std::size_t i) const { return get("LAB_KIND_" + std::to_string(i)); }
  // Party i's own address, and the one its connections come from on the public segment.
  std::string ip(std::size_t i) const { return get("LAB_IP_" + std::to_string(i)); }
  std::string public_ip(std::size_t i) const { return get("LAB_PUBLIC_IP_" + std::to_string(i)); }
  std::string rendezvous_ns() const { return get("LAB_NS_RENDEZVOUS"); }
  std::string rendezvous_ip() const { return get("LAB_RENDEZVOUS_IP"); }

  // Starts `argv` inside the rendezvous host's namespace.
  std::unique_ptr<cli::test::Process> start_in_rendezvous(const std::vector<std::string>& argv) const {
    return start_in_namespace(rendezvous_ns(), argv);
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
    std::vector<std::string> command{"/bin/bash", script(), "start", "--dir", dir(), "--in", where, "--"};
    command.insert(command.end(), argv.begin(), argv.end());
    cli::test::Process start(command);
    const auto status = start.finish(20s);
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
      throw std::runtime_error("nat-lab.sh start failed: " + start.err());
    }
    return static_cast<pid_t>(std::stol(start.out()));
  }
};

}  // namespace meshmpc::lab
