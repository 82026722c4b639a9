#pragma once
// What every network-namespace lab of the tests needs of this machine (the
// Nebula lab, nebula_lab.hpp; the NAT lab, nat_lab.hpp): root, some tools, and
// the right to make network namespaces. namespace_skip_reason() says, in one
// line, why a lab cannot be built here, for GTEST_SKIP.
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <initializer_list>
#include <string>

namespace meshmpc::lab {

inline bool executable(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin"}) {
    if (::access((std::filesystem::path(dir) / name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Empty when root may make network namespaces here and every one of `tools` is
// installed; otherwise why not.
inline std::string namespace_skip_reason(std::initializer_list<const char*> tools) {
  if (::geteuid() != 0) return "needs root (network namespaces); run as root or in CI";
  for (const char* tool : tools) {
    if (!executable(tool)) return std::string(tool) + " is not installed (tools/install-deps.sh installs it)";
  }
  // Root in a container may still be denied new network namespaces.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(::unshare(CLONE_NEWNET) == 0 ? 0 : 1);
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return "cannot create network namespaces here (unshare(CLONE_NEWNET) denied)";
  }
  return {};
}

}  // namespace meshmpc::lab
