#include "meshmpc/cli/logging.hpp"

#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace meshmpc::cli {

std::shared_ptr<spdlog::logger> make_logger(const RunOptions& options) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("party" + std::to_string(options.index.value_or(0)), sink);
  logger->set_pattern("%H:%M:%S.%e %n %^%l%$: %v");
  logger->set_level(options.log_level);
  return logger;
}

}  // namespace meshmpc::cli
