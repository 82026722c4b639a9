#pragma once
// What every party of one computation must agree on besides the field.
#include <chrono>
#include <cstddef>
#include <string>

namespace meshmpc {

// Degree reduction after a local product (docs/protocols.md):
//  grr  — Gennaro-Rabin-Rabin resharing, one round; t of each party's n-1 sub-shares
//         are drawn from pairwise PRG keys, so at n = 3 a party sends one element per
//         product.
//  dn07 — Damgard-Nielsen double sharings from PRSS, a king per element (rotating)
//         reconstructs and returns; two rounds, 2(n-1)/n elements per party.
enum class MulProtocol { grr, dn07 };

std::string to_string(MulProtocol m);
MulProtocol mul_protocol_from_string(const std::string& s);

struct SessionOptions {
  std::size_t threshold = 0;  // t; the runtime requires 2t < n
  MulProtocol mul = MulProtocol::grr;
  bool prss = true;  // PRSS for random sharings; off: each party deals and the sum is used
  // Statistical security parameter k of comparisons and other masked openings: a
  // masked value leaks with statistical distance about 2^-k (docs/protocols.md).
  std::size_t sec_param = 30;
};

}  // namespace meshmpc
