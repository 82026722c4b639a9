#pragma once
// Helpers shared by the sharing tests: the fields every typed test runs over,
// subset enumeration and exception checks on the message text.
#include <meshmpc/error.hpp>
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/sharing/prg.hpp>

#include <gtest/gtest.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace meshmpc::test {

using SharingFields = ::testing::Types<Fp64, Fp127>;

// A fixed key so that a failing run can be replayed.
inline Prg::Key fixed_key(std::uint8_t seed) {
  Prg::Key key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::byte>(seed + 31 * i);
  return key;
}

// Every subset of {0..n-1} of size k, as sorted id lists.
inline std::vector<std::vector<std::size_t>> subsets_of_size(std::size_t n, std::size_t k) {
  std::vector<std::vector<std::size_t>> out;
  for (std::uint32_t mask = 0; mask < (1U << n); ++mask) {
    if (static_cast<std::size_t>(std::popcount(mask)) != k) continue;
    std::vector<std::size_t> ids;
    for (std::size_t i = 0; i < n; ++i)
      if ((mask >> i) & 1U) ids.push_back(i);
    out.push_back(std::move(ids));
  }
  return out;
}

// The views reconstruct() takes, for the given parties of a full share table.
template <class E>
std::vector<std::span<const E>> views_of(const std::vector<std::vector<E>>& shares,
                                         std::span<const std::size_t> parties) {
  std::vector<std::span<const E>> out;
  for (auto id : parties) out.emplace_back(shares[id]);
  return out;
}

// Runs fn and checks that it throws E with every one of `parts` in its message.
template <class E, class Fn>
void expect_error(Fn&& fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected an exception, none was thrown";
  } catch (const E& e) {
    const std::string what = e.what();
    for (const auto& part : parts) EXPECT_NE(what.find(part), std::string::npos) << "'" << part << "' not in: " << what;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

}  // namespace meshmpc::test
