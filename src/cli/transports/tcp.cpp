// --transport tcp: the parties are the -P/-C addresses (or the local launcher's
// loopback ports); this party is -I. With --ssl every link is TLS, each peer
// proven by its pinned fingerprint or CA; without it, links stay on this machine
// unless --insecure-plaintext says otherwise.
#include <meshmpc/cli/logging.hpp>
#include <meshmpc/cli/options.hpp>
#include <meshmpc/cli/parties.hpp>
#include <meshmpc/net/tls/context.hpp>
#include <meshmpc/tcp/tcp_transport.hpp>

#include "../tls_files.hpp"
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
    net::TcpOptions tcp;
    tcp.on_refusal = refusal_logger(make_logger(options));
    if (options.ssl) {
      tcp.tls = std::make_shared<net::tls::Context>(load_tls(tls_files(options, setup.roster, setup.self)));
    } else if (options.insecure_plaintext) {
      tcp.plaintext = net::Plaintext::insecure_allowed;
    }
    setup.transport = std::make_unique<tcp::TcpTransport>(std::move(tcp));
    co_return setup;
  }
};

}  // namespace

const TransportPlugin& tcp() {
  static const TcpPlugin plugin;
  return plugin;
}

}  // namespace meshmpc::cli::plugins
