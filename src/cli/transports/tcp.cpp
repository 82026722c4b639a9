// --transport tcp: the parties are the -P/-C addresses (or the local launcher's
// loopback ports); this party is -I.
#include <meshmpc/cli/options.hpp>
#include <meshmpc/cli/parties.hpp>
#include <meshmpc/tcp/tcp_transport.hpp>

#include "plugins.hpp"

namespace meshmpc::cli::plugins {

namespace {

class TcpPlugin final : public TransportPlugin {
 public:
  std::string_view name() const override { return "tcp"; }
  std::string_view summary() const override { return "direct TCP to the -P/-C addresses (default)"; }

  boost::asio::awaitable<PartySetup> setup(const RunOptions& options) const override {
    PartySetup setup;
    setup.roster = make_roster(options);
    setup.self = options.index.value_or(0);
    setup.transport = std::make_unique<tcp::TcpTransport>();
    co_return setup;
  }
};

}  // namespace

const TransportPlugin& tcp() {
  static const TcpPlugin plugin;
  return plugin;
}

}  // namespace meshmpc::cli::plugins
