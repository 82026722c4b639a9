#include <meshmpc/net/transport.hpp>

#include <boost/asio/this_coro.hpp>

namespace meshmpc::net {

asio::awaitable<Network> connect_network(Transport& transport, const Roster& roster,
                                         std::size_t self,
                                         std::chrono::steady_clock::duration connect_timeout,
                                         NetworkOptions options) {
  const auto deadline = std::chrono::steady_clock::now() + connect_timeout;
  Links links = co_await transport.connect(roster, self, deadline);
  co_return Network(co_await asio::this_coro::executor, roster, self, std::move(links), options,
                    transport.take_relinker());
}

}  // namespace meshmpc::net
