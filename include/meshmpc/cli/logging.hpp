#pragma once
// One logger per party, with the party in every line (STYLE.md: logging).
#include <memory>

#include <spdlog/logger.h>

#include "meshmpc/cli/options.hpp"

namespace meshmpc::cli {

// A logger named "party<i>" (i = options.index, 0 for a local launch's caller)
// writing to stderr at options.log_level. Not registered in spdlog's global
// registry, so several parties may live in one process (tests).
std::shared_ptr<spdlog::logger> make_logger(const RunOptions& options);

}  // namespace meshmpc::cli
