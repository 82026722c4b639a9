#include <meshmpc/cli/run_impl.hpp>

#include <malloc.h>

#include <meshmpc/net/error_text.hpp>

namespace meshmpc::cli {

namespace {

// -M 1: a one-party hub, no sockets at all. The hub outlives the transport it
// made because the transport owns it.
class AloneTransport final : public net::Transport {
 public:
  AloneTransport() : hub_(1), inner_(hub_.transport(0)) {}
  std::string name() const override { return inner_->name(); }
  boost::asio::awaitable<net::Links> connect(const net::Roster& roster, std::size_t self,
                                      std::chrono::steady_clock::time_point deadline) override {
    return inner_->connect(roster, self, deadline);
  }

 private:
  net::InMemoryHub hub_;
  std::unique_ptr<net::Transport> inner_;
};

}  // namespace

void keep_freed_memory() {
  // 32 MiB is glibc's largest mmap threshold on 64-bit; bigger blocks still get
  // their own mapping. Freed heap is given back only beyond 1 GiB at the top.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

boost::asio::awaitable<PartySetup> party_setup(const RunOptions& options) {
  if (options.parties == 1) {
    PartySetup setup;
    setup.roster = make_roster(options);
    setup.transport = std::make_unique<AloneTransport>();
    co_return setup;
  }
  const TransportPlugin* plugin = find_transport_plugin(options.transport);
  if (!plugin) {
    throw ConfigError("transport '" + options.transport + "' cannot link separate processes (use tcp)");
  }
  co_return co_await plugin->setup(options);
}

SessionOptions session_options(const RunOptions& options) {
  // RunOptions::threshold is already resolved (default floor((M-1)/2)). Typing
  // -T 0 among several parties is the explicit request for a session without
  // privacy that the runtime refuses to assume (SessionOptions::insecure_threshold_zero);
  // without -T, M = 2 resolves to t = 0 and is refused with the reason.
  const bool threshold_given = options.vars.count("threshold") > 0;
  return {.threshold = options.threshold,
          .mul = options.mul,
          .randomness = options.randomness,
          .sec_param = options.sec_param,
          .truncation = options.truncation,
          .comparison_slice = options.comparison_slice,
          .insecure_threshold_zero = threshold_given && options.threshold == 0 && options.parties > 1};
}

int report_failure(spdlog::logger& log, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    log.error("{}", net::error_text(e));  // the OS's text, not Boost's source location
  } catch (const std::exception& e) {
    log.error("{}", e.what());
  } catch (...) {
    log.error("failed with an unknown exception");
  }
  return 1;
}

}  // namespace meshmpc::cli
