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
#include "scripted_lab.hpp"

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

class NebulaLab : public ScriptedLab {
 public:
  // `options`: nebula-lab.sh up options besides --dir and --hosts (e.g. {"--nat-masq", "0,1"}).
  NebulaLab(std::size_t hosts, const std::vector<std::string>& options = {})
      : ScriptedLab(MESHMPC_NEBULA_LAB_SCRIPT, "mnl", hosts, options) {}

  std::string overlay_ip(std::size_t i) const { return get("LAB_IP_" + std::to_string(i)); }
  std::string underlay_ip(std::size_t i) const { return get("LAB_UNDERLAY_" + std::to_string(i)); }
  std::string config(std::size_t i) const { return dir() + "/h" + std::to_string(i) + ".yml"; }
  std::string roster() const { return dir() + "/roster.txt"; }

  // "h0-h1 direct" lines from the nebula logs (nebula-lab.sh paths).
  std::map<std::string, std::string> paths() const {
    cli::test::Process p({"/bin/bash", script(), "paths", "--dir", dir()});
    p.finish(20s);
    std::map<std::string, std::string> out;
    std::istringstream lines(p.out());
    for (std::string pair, path; lines >> pair >> path;) out[pair] = path;
    return out;
  }

  // True when the overlay is IPv6 (nebula-lab.sh --overlay6).
  bool overlay6() const { return get("LAB_OVERLAY6") == "1"; }
};

}  // namespace meshmpc::lab
