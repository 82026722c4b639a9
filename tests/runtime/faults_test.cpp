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
