#pragma once
// Where the tests find a nebula 1.10+ (v2 certificates, IPv6 overlays) beside
// Debian 12's 1.6.1 on the PATH: the files named by MESHMPC_NEBULA_NEW and
// MESHMPC_NEBULA_CERT_NEW, else those tools/fetch-nebula.sh unpacks into the
// build tree (the compile definition MESHMPC_NEBULA_SID_DIR). Shared by the unit
// tests (pki.hpp) and the lab tests (tests/integration/nebula_lab.hpp).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace meshmpc::test {

// The one line a test skips with when there is none.
inline constexpr const char* kNoNewerNebula = "nebula 1.10+ not found: run tools/fetch-nebula.sh";

// The path of `tool` ("nebula" or "nebula-cert") 1.10+, or "" when there is none.
inline std::string newer_nebula_tool(const std::string& tool) {
  const char* variable = tool == "nebula" ? "MESHMPC_NEBULA_NEW" : "MESHMPC_NEBULA_CERT_NEW";
  if (const char* path = std::getenv(variable); path && *path) {
    return ::access(path, X_OK) == 0 ? std::string(path) : std::string();
  }
#ifdef MESHMPC_NEBULA_SID_DIR
  const std::string path = (std::filesystem::path(MESHMPC_NEBULA_SID_DIR) / tool).string();
  if (::access(path.c_str(), X_OK) == 0) return path;
#endif
  return {};
}

// The directory holding both nebula and nebula-cert 1.10+ (what nebula-lab.sh's
// --nebula takes), or "" when they are missing or apart.
inline std::string newer_nebula_dir() {
  const std::string nebula = newer_nebula_tool("nebula");
  const std::string cert = newer_nebula_tool("nebula-cert");
  if (nebula.empty() || cert.empty()) return {};
  const auto dir = std::filesystem::path(nebula).parent_path();
  return dir == std::filesystem::path(cert).parent_path() ? dir.string() : std::string();
}

}  // namespace meshmpc::test
