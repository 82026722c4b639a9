#include <meshmpc/tcp/tcp_transport.hpp>

#include <boost/asio/this_coro.hpp>
#include <utility>

#include <meshmpc/error.hpp>

namespace meshmpc::tcp {

TcpTransport::TcpTransport(net::TcpOptions options, std::string listen_host)
    : options_(std::move(options)), listen_host_(std::move(listen_host)) {}

TcpTransport::TcpTransport(asio::ip::tcp::acceptor acceptor, net::TcpOptions options)
    : options_(std::move(options)), acceptor_(std::move(acceptor)) {}

std::string TcpTransport::name() const { return "tcp"; }

asio::awaitable<net::Links> TcpTransport::connect(const net::Roster& roster, std::size_t self,
                                                  std::chrono::steady_clock::time_point deadline) {
  roster.validate();
  const net::PartyInfo& me = roster.party(self);
  std::optional<asio::ip::tcp::acceptor> acceptor = std::move(acceptor_);
  acceptor_.reset();
  if (net::accepts(self, roster.size()) && !acceptor) {
    const net::Endpoint* own = nullptr;
    for (const net::Endpoint& endpoint : me.endpoints) {
      if (endpoint.port != 0) {
        own = &endpoint;
        break;
      }
    }
    if (own == nullptr) {
      throw ConfigError("tcp transport: " + net::describe(me) +
                        " accepts connections but the roster gives it no endpoint with a port");
    }
    const net::Endpoint where{listen_host_.empty() ? own->host : listen_host_, own->port};
    try {
      // With routes, punching leaves from the listening port: it must be shared.
      acceptor = net::listen(co_await asio::this_coro::executor, where, !options_.routes.empty());
    } catch (const ConfigError& error) {
      throw ConfigError("tcp transport: " + net::describe(me) + ": " + error.what());
    }
  }
  net::Mesh mesh = co_await net::connect_mesh_relinkable(std::move(acceptor), roster, self, deadline, options_);
  relinker_ = std::move(mesh.relinker);
  co_return std::move(mesh.links);
}

std::shared_ptr<net::Relinker> TcpTransport::take_relinker() { return std::exchange(relinker_, nullptr); }

}  // namespace meshmpc::tcp
