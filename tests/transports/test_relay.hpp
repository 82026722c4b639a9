#pragma once
// Test helper: a real relay on loopback, on its own thread. A client connects and
// sends two bytes, its own party id and the peer's; two clients naming each other
// are joined, and every byte one sends is copied to the other (and kept, so that
// a test can check what a relay sees). Bounded: kMaxCopied bytes per pipe and
// direction, then the pipe is closed. open_test_relay is the RelayOpener side.
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace meshmpc::net::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

class TestRelay {
 public:
  static constexpr std::size_t kMaxCopied = std::size_t{64} << 20;

  TestRelay() : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestRelay() {
    io_.stop();
    thread_.join();
  }
  TestRelay(const TestRelay&) = delete;
  TestRelay& operator=(const TestRelay&) = delete;

  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }
  // Every byte copied so far, both directions of every pipe.
  std::string seen() {
    const std::lock_guard lock(mutex_);
    return seen_;
  }
  std::size_t pipes() {
    const std::lock_guard lock(mutex_);
    return pipes_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [error, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (error) co_return;
      asio::co_spawn(io_, join(std::make_shared<tcp::socket>(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> join(std::shared_ptr<tcp::socket> socket) {
    std::array<std::uint8_t, 2> ids{};
    auto [error, got] = co_await asio::async_read(*socket, asio::buffer(ids), asio::as_tuple(asio::use_awaitable));
    if (error) co_return;
    const auto partner = waiting_.find({ids[1], ids[0]});
    if (partner == waiting_.end()) {
      waiting_[{ids[0], ids[1]}] = socket;  // a later one from the same party replaces it
      co_return;
    }
    std::shared_ptr<tcp::socket> other = partner->second;
    waiting_.erase(partner);
    {
      const std::lock_guard lock(mutex_);
      ++pipes_;
    }
    asio::co_spawn(io_, copy(socket, other), asio::detached);
    asio::co_spawn(io_, copy(other, socket), asio::detached);
  }

  asio::awaitable<void> copy(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
    std::array<char, 16384> buffer{};
    std::size_t copied = 0;
    while (copied < kMaxCopied) {
      auto [error, got] = co_await from->async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
      if (got > 0) {
        {
          const std::lock_guard lock(mutex_);
          seen_.append(buffer.data(), got);
        }
        auto [write_error, written] =
            co_await asio::async_write(*to, asio::buffer(buffer.data(), got), asio::as_tuple(asio::use_awaitable));
        if (write_error) break;
        copied += written;
      }
      if (error) break;
    }
    boost::system::error_code ignored;
    to->shutdown(tcp::socket::shutdown_send, ignored);
    if (copied >= kMaxCopied) from->close(ignored);
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::map<std::pair<std::uint8_t, std::uint8_t>, std::shared_ptr<tcp::socket>> waiting_;
  std::mutex mutex_;
  std::string seen_;
  std::size_t pipes_ = 0;
  std::thread thread_;
};

// The RelayOpener of party `self` for its pipe to `peer` through the relay.
inline asio::awaitable<tcp::socket> open_test_relay(tcp::endpoint relay, std::size_t self, std::size_t peer,
                                                    std::chrono::steady_clock::time_point) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(relay, asio::use_awaitable);
  const std::array<std::uint8_t, 2> ids{static_cast<std::uint8_t>(self), static_cast<std::uint8_t>(peer)};
  co_await asio::async_write(socket, asio::buffer(ids), asio::use_awaitable);
  co_return socket;
}

}  // namespace meshmpc::net::testing
