#include <meshmpc/cli/logging.hpp>

#include <chrono>
#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>

// LogLevel (options.hpp) is spdlog's order, so that it converts by value.
static_assert(static_cast<int>(meshmpc::cli::LogLevel::trace) == spdlog::level::trace);
static_assert(static_cast<int>(meshmpc::cli::LogLevel::error) == spdlog::level::err);
static_assert(static_cast<int>(meshmpc::cli::LogLevel::off) == spdlog::level::off);

namespace meshmpc::cli {

std::shared_ptr<spdlog::logger> make_logger(const RunOptions& options) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  // A discovering transport learns the index only once it has found the parties;
  // without -I, any other process is party 0 (a local launch's first party).
  const std::string name = options.index || !options.transport_discovers
                               ? "party" + std::to_string(options.index.value_or(0))
                               : "party?";
  auto logger = std::make_shared<spdlog::logger>(name, sink);
  logger->set_pattern("%H:%M:%S.%e %n %^%l%$: %v");
  logger->set_level(static_cast<spdlog::level::level_enum>(options.log_level));
  return logger;
}

std::function<void(const std::string&)> refusal_logger(std::shared_ptr<spdlog::logger> log) {
  struct Limit {
    std::chrono::steady_clock::time_point next{};
    std::size_t held_back = 0;
  };
  return [log = std::move(log), limit = std::make_shared<Limit>()](const std::string& refusal) {
    const auto now = std::chrono::steady_clock::now();
    if (now < limit->next) {
      ++limit->held_back;
      return;
    }
    limit->next = now + std::chrono::seconds(1);
    if (limit->held_back == 0) {
      log->warn("{}", refusal);
    } else {
      log->warn("{} (and {} more refused connections in the last second or more)", refusal, limit->held_back);
    }
    limit->held_back = 0;
  };
}

}  // namespace meshmpc::cli
