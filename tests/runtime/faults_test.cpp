// Bad parameters and failing parties: clear errors, nobody hangs.
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/run_local.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <chrono>

namespace meshmpc {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

template <class E>
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception";
  return {};
}

TEST(Faults, ThresholdOfHalfIsRefused) {
  const Fp64 field;
  const auto msg = error_of<ConfigError>([&] {
    run_local<Fp64>(4, field, {.threshold = 2}, [](Session<Fp64>&) -> asio::awaitable<void> { co_return; }, 5s);
  });
  EXPECT_NE(msg.find("2t < n"), std::string::npos) << msg;
  EXPECT_NE(msg.find("n = 4"), std::string::npos) << msg;
}

TEST(Faults, PartiesWithDifferentParametersAreRefused) {
  const Fp64 field;
  const auto options_of = [](std::size_t i) {
    return SessionOptions{.threshold = 1, .mul = i == 2 ? MulProtocol::dn07 : MulProtocol::grr};
  };
  const auto msg = error_of<ConfigError>([&] {
    run_local<Fp64>(3, field, options_of, [](Session<Fp64>&) -> asio::awaitable<void> { co_return; }, 5s);
  });
  EXPECT_NE(msg.find("party 2 runs with"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mul=dn07"), std::string::npos) << msg;
}

// The randomness is part of the agreement: one party asked for PRSS by name while
// the others resolve `automatic` (extraction at t = 2) is named, not a hang.
TEST(Faults, PartiesWithDifferentRandomnessAreRefused) {
  const Fp64 field;
  const auto options_of = [](std::size_t i) {
    return SessionOptions{.threshold = 2, .randomness = i == 4 ? Randomness::prss : Randomness::automatic};
  };
  const auto msg = error_of<ConfigError>([&] {
    run_local<Fp64>(5, field, options_of, [](Session<Fp64>&) -> asio::awaitable<void> { co_return; }, 5s);
  });
  EXPECT_NE(msg.find("party 4 runs with"), std::string::npos) << msg;
  EXPECT_NE(msg.find("randomness=prss"), std::string::npos) << msg;
  EXPECT_NE(msg.find("randomness=extraction"), std::string::npos) << msg;
}

// The comparison slice shapes every large comparison's rounds and labels: a party
// with another slice is named at the set-up, not left to mismatch later.
TEST(Faults, PartiesWithDifferentComparisonSlicesAreRefused) {
  const Fp64 field;
  const auto options_of = [](std::size_t i) {
    return SessionOptions{.threshold = 1, .comparison_slice = i == 1 ? std::size_t{0} : kDefaultComparisonSlice};
  };
  const auto msg = error_of<ConfigError>([&] {
    run_local<Fp64>(3, field, options_of, [](Session<Fp64>&) -> asio::awaitable<void> { co_return; }, 5s);
  });
  EXPECT_NE(msg.find("party 1 runs with"), std::string::npos) << msg;
  EXPECT_NE(msg.find("slice=0"), std::string::npos) << msg;
}

// Party 1 fails after the inputs; the others, waiting for its shares in open(),
// stop with an error that names it — promptly, long before the receive timeout.
TEST(Faults, APartyThatDiesIsNamedByTheOthers) {
  const Fp64 field;
  std::mutex m;
  std::vector<std::string> errors(3);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(run_local<Fp64>(
                   3, field, {.threshold = 1},
                   [&](Session<Fp64>& s) -> asio::awaitable<void> {
                     const std::vector v{s.field().from_int(5)};
                     const auto x = co_await s.input_all(secfld(), v);
                     if (s.id() == 1) throw Error("party 1 gives up");
                     try {
                       // Party 1 is among the senders of every opening: its shares are needed.
                       for (int round = 0; round < 3; ++round) (void)co_await s.output(x[0]);
                     } catch (const PeerError& e) {
                       std::lock_guard lock(m);
                       errors[s.id()] = e.what();
                       throw;
                     }
                   },
                   30s),
               Error);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
  for (std::size_t i : {0, 2}) EXPECT_NE(errors[i].find("party 1"), std::string::npos) << "party " << i << ": " << errors[i];
}

// A peer's word that is no element (p itself) is refused by both ways of
// receiving, naming the peer and the element, and a good batch is read as sent,
// where it arrived (receive_view) or copied (receive).
TEST(Faults, AWordAboveTheModulusIsRefusedNamingItsSenderAndElement) {
  const Fp64 field;
  std::mutex m;
  std::vector<std::vector<std::string>> errors(3);
  run_local<Fp64>(
      3, field, {.threshold = 1},
      [&](Session<Fp64>& s) -> asio::awaitable<void> {
        auto& core = protocols::core_of(s);
        auto scope = protocols::next_scope(s);
        const auto good = scope.next_label(), bad_view = scope.next_label(), bad_copy = scope.next_label();
        std::vector<Fp64::Element> values;
        for (std::int64_t v = 0; v < 9; ++v) values.push_back(s.field().from_int(v * v - 40));
        if (s.id() == 2) {
          net::Payload wire(values.size() * 8);
          s.field().to_wire(values, wire);
          for (std::size_t j : {0, 1}) core.network().send(j, good, wire);
          const std::uint64_t p = s.field().modulus();
          for (std::size_t k = 0; k < 8; ++k) wire[5 * 8 + k] = static_cast<std::byte>((p >> (8 * k)) & 0xffU);
          for (std::size_t j : {0, 1}) {
            core.network().send(j, bad_view, wire);
            core.network().send(j, bad_copy, wire);
          }
          co_return;
        }
        const auto got = co_await core.receive_view(2, good, values.size());
        if (!std::equal(got.elements().begin(), got.elements().end(), values.begin(), values.end()))
          throw Error("party " + std::to_string(s.id()) + " read a different batch");
        for (const auto label : {bad_view, bad_copy}) {
          try {
            if (label == bad_view) {
              (void)co_await core.receive_view(2, label, values.size());
            } else {
              (void)co_await core.receive(2, label, values.size());
            }
          } catch (const ProtocolError& e) {
            std::lock_guard lock(m);
            errors[s.id()].push_back(e.what());
          }
        }
      },
      10s);
  for (std::size_t i : {0, 1}) {
    ASSERT_EQ(errors[i].size(), 2U) << "party " << i;
    for (const auto& e : errors[i]) {
      EXPECT_NE(e.find("party 2 sent a malformed element"), std::string::npos) << e;
      EXPECT_NE(e.find("element 5 "), std::string::npos) << e;
    }
  }
}

// A party that stalls without closing its links: the others time out with a
// message naming it and the wait.
TEST(Faults, AStalledPartyTimesOut) {
  const Fp64 field;
  std::mutex m;
  std::vector<std::string> errors(3);
  EXPECT_THROW(run_local<Fp64>(
                   3, field, {.threshold = 1},
                   [&](Session<Fp64>& s) -> asio::awaitable<void> {
                     if (s.id() == 0) {
                       asio::steady_timer stall(co_await asio::this_coro::executor, 2500ms);
                       co_await stall.async_wait(asio::use_awaitable);
                       co_return;
                     }
                     try {
                       const std::vector v{s.field().from_int(1)};
                       (void)co_await s.input_all(secfld(), v);
                     } catch (const PeerError& e) {
                       std::lock_guard lock(m);
                       errors[s.id()] = e.what();
                       throw;
                     }
                   },
                   1s),
               PeerError);
  for (std::size_t i : {1, 2}) {
    EXPECT_NE(errors[i].find("timed out"), std::string::npos) << errors[i];
    EXPECT_NE(errors[i].find("party 0"), std::string::npos) << errors[i];
  }
}

}  // namespace
}  // namespace meshmpc
