// The relinking after connect_mesh (relinker.hpp, docs/net.md): the listening
// socket stays open and its accept loop goes on, with the same handshake, checks
// and caps; redial is dial_attempt with its backoff, until the Network's deadline.
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/error.hpp>

#include <meshmpc/net/error_text.hpp>

#include "mesh_state.hpp"

namespace meshmpc::net::detail {

namespace {

class MeshRelinker final : public Relinker {
 public:
  explicit MeshRelinker(std::shared_ptr<MeshState> state) : state_(std::move(state)) {}
  ~MeshRelinker() override { stop(); }

  void start(std::function<void(std::unique_ptr<Link>)> offer) override {
    state_->offer = std::move(offer);
    // Not a TaskGroup task: the connect phase's group has been cancelled and
    // drained. Closing the acceptor (stop) ends this loop.
    if (state_->acceptor && state_->acceptor->is_open()) {
      asio::co_spawn(state_->acceptor->get_executor(), accept_loop(state_), [state = state_](std::exception_ptr) {});
    }
  }

  asio::awaitable<std::unique_ptr<Link>> redial(std::size_t peer, Clock::time_point deadline) override {
    const std::shared_ptr<MeshState> state = state_;
    const std::string target = describe(state->roster.party(peer));
    // A punched or relayed link is not relinked: its routes belong to the connect
    // phase (the NAT mappings and relay pipes of that moment), and a direct dial
    // of the roster's endpoints would only wait out the window.
    if (const LinkRoute& route = state->link_routes[peer]; route.path != LinkPath::direct) {
      throw PeerError(target + ": its link was " + to_string(route) + ", and such links are not relinked");
    }
    auto delay = state->options.first_retry_delay;
    std::string last = "no attempt before the deadline";
    for (;;) {
      if (stopped_) throw PeerError(state->self_name() + ": stopped dialling " + target);
      try {
        co_return co_await dial_attempt(state, peer, deadline);
      } catch (const boost::system::system_error& error) {
        if (is_tls_error(error)) throw tls_refusal(*state, peer, error);
        // Nobody listens at its address any more: the party is gone (killed, or
        // ended), and waiting out the window would only delay naming it.
        if (error.code() == asio::error::connection_refused) {
          throw PeerError(target + " refused the connection (" + error_text(error) + "): it is gone");
        }
        last = error_text(error);
      }
      const auto wake = Clock::now() + delay;
      if (wake >= deadline) throw PeerError(target + " was not reached in time (last error: " + last + ")");
      co_await detail::sleep_until(wake);
      delay = std::min(2 * delay, state->options.max_retry_delay);
    }
  }

  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    MeshState& state = *state_;
    boost::system::error_code ignored;
    if (state.acceptor) state.acceptor->close(ignored);
    stop_pending(state);
    state.offer = nullptr;
  }

 private:
  std::shared_ptr<MeshState> state_;
  bool stopped_ = false;
};

}  // namespace

std::shared_ptr<Relinker> make_mesh_relinker(std::shared_ptr<MeshState> state) {
  return std::make_shared<MeshRelinker>(std::move(state));
}

}  // namespace meshmpc::net::detail
