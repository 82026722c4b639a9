#include <meshmpc/cli/run.hpp>
#include <meshmpc/tcp/tcp_transport.hpp>

#include <fmt/format.h>

namespace meshmpc::cli {

std::unique_ptr<net::Transport> make_transport(const RunOptions& options) {
  if (options.transport == "tcp") return std::make_unique<tcp::TcpTransport>();
  throw ConfigError("transport '" + options.transport + "' cannot link separate processes (use tcp)");
}

SessionOptions session_options(const RunOptions& options) {
  return {.threshold = options.threshold, .mul = options.mul, .prss = options.prss};
}

std::string summary(std::chrono::steady_clock::duration elapsed, std::uint64_t rounds, std::uint64_t bytes_sent) {
  const double s = std::chrono::duration<double>(elapsed).count();
  const double b = static_cast<double>(bytes_sent);
  const std::string amount = b < 1024 ? fmt::format("{} B", bytes_sent)
                             : b < 1 << 20 ? fmt::format("{:.1f} KiB", b / 1024)
                                           : fmt::format("{:.1f} MiB", b / (1 << 20));
  return fmt::format("done in {:.3f} s: {} rounds, {} sent", s, rounds, amount);
}

int report_failure(spdlog::logger& log, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    log.error("{}", e.what());
  } catch (...) {
    log.error("failed with an unknown exception");
  }
  return 1;
}

}  // namespace meshmpc::cli
