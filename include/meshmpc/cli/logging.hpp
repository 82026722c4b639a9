#pragma once
// One logger per party, with the party in every line (STYLE.md: logging).
#include <functional>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include <meshmpc/cli/options.hpp>

namespace meshmpc::cli {

// A logger named "party<i>" (i = options.index, 0 for a local launch's caller)
// writing to stderr at options.log_level. Not registered in spdlog's global
// registry, so several parties may live in one process (tests).
std::shared_ptr<spdlog::logger> make_logger(const RunOptions& options);

// TcpOptions::on_refusal for a party: each refused connection (a stranger, an
// impostor without the session secret, a duplicate) as one warning line when it
// happens — at most one a second, so that a flood does not flood the log; the
// lines held back are counted in the next one. Call it from one thread.
std::function<void(const std::string&)> refusal_logger(std::shared_ptr<spdlog::logger> log);

}  // namespace meshmpc::cli
