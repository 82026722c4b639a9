#pragma once
// The field for l-bit secure integers with statistical security parameter k: the
// smallest shipped field in which a comparison's masked value fits, l + k + 2 bits
// (docs/protocols.md): the native 64-bit field for l = 32 (k = 30), the 127-bit
// Mersenne field up to l = 64. Comparisons check the exact bound at run time too
// (it also depends on n), so a mismatch is a clear ConfigError, never a wrong result.
//
//   using F = meshmpc::IntField<32>;            // Fp64
//   Session<F> s = co_await Session<F>::start(F{}, network, options);
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>

#include <cstddef>
#include <type_traits>

namespace meshmpc {

template <std::size_t L, std::size_t K = 30>
  requires(L >= 1 && L <= 64)
using IntField = std::conditional_t<(L + K + 2 <= 64), Fp64, Fp127>;

static_assert(std::is_same_v<IntField<32>, Fp64>);
static_assert(std::is_same_v<IntField<64>, Fp127>);

}  // namespace meshmpc
