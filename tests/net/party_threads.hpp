#pragma once
// Test helper: n parties, each with its own io_context run by its own thread, as
// in a real deployment. run() returns each party's exception (or null), and
// fails a party whose io_context did not run dry within the limit: a Network or
// transport that leaves work behind after close()/shutdown() is a bug.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <meshmpc/net/frame.hpp>
#include <meshmpc/net/roster.hpp>

namespace meshmpc::net::testing {

namespace asio = boost::asio;

class PartyThreads {
 public:
  explicit PartyThreads(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) contexts_.push_back(std::make_unique<asio::io_context>());
  }
  asio::io_context& context(std::size_t i) { return *contexts_[i]; }

  std::vector<std::exception_ptr> run(const std::function<asio::awaitable<void>(std::size_t)>& body,
                                      std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const std::size_t n = contexts_.size();
    std::vector<std::exception_ptr> errors(n);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        asio::io_context& context = *contexts_[i];
        context.restart();  // a second run() on the same parties (join, then compute)
        bool finished = false;
        asio::co_spawn(context, body(i), [&](std::exception_ptr error) {
          errors[i] = error;
          finished = true;
        });
        context.run_for(limit);
        if (!finished) {
          errors[i] = std::make_exception_ptr(std::runtime_error(
              "party " + std::to_string(i) + " did not finish within the time limit"));
        } else if (!context.stopped()) {
          errors[i] = std::make_exception_ptr(std::runtime_error(
              "party " + std::to_string(i) + " finished but left work on its io_context"));
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    return errors;
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
};

inline std::string message_of(const std::exception_ptr& error) {
  if (!error) return "";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  }
}

inline void expect_no_errors(const std::vector<std::exception_ptr>& errors) {
  for (std::size_t i = 0; i < errors.size(); ++i) {
    EXPECT_FALSE(errors[i]) << "party " << i << ": " << message_of(errors[i]);
  }
}

inline const char* const kNames[] = {"alice", "bob", "carol", "dave", "eve", "frank", "grace"};

inline Roster make_roster(std::size_t n, const std::string& session = "test-session") {
  Roster roster;
  roster.session_id = session_id_from_text(session);
  for (std::size_t i = 0; i < n; ++i) roster.parties.push_back(PartyInfo{i, kNames[i], {}, {}, std::nullopt});
  return roster;
}

// The payload party `from` sends to party `to` under message number k: its
// length and bytes depend on all three, so a mix-up cannot go unnoticed.
inline Payload test_payload(std::size_t from, std::size_t to, std::size_t k) {
  const std::size_t length = k == 3 ? (std::size_t{1} << 18) + 7 : (k * 997 + from * 31 + to * 7) % 3000;
  Payload payload(length);
  std::mt19937_64 bytes(from * 1000003 + to * 1009 + k);
  for (std::byte& b : payload) b = static_cast<std::byte>(bytes());
  return payload;
}

// Labels spread over the whole 64-bit range, as a hierarchical counter may make them.
inline Label test_label(std::size_t k) { return 0x9E3779B97F4A7C15ull * (k + 1); }

}  // namespace meshmpc::net::testing
