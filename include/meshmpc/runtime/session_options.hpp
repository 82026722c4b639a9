#pragma once
// What every party of one computation must agree on besides the field.
#include <chrono>
#include <cstddef>
#include <optional>
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
  // t: up to t colluding parties learn nothing. Unset: the largest allowed,
  // floor((n - 1) / 2) (as the CLI's -T), resolved when the session starts and n
  // is known (resolve_threshold). The runtime requires 2t < n.
  std::optional<std::size_t> threshold;
  MulProtocol mul = MulProtocol::grr;
  bool prss = true;  // PRSS for random sharings; off: each party deals and the sum is used
  // Statistical security parameter k of comparisons and other masked openings: a
  // masked value leaks with statistical distance about 2^-k (docs/protocols.md).
  std::size_t sec_param = 30;
  // t = 0 among n > 1 parties means every share *is* its secret: no privacy at all.
  // Refused unless asked for by name here (e.g. to measure the protocols' cost
  // without the sharing; the CLI's -T 0 sets it).
  bool insecure_threshold_zero = false;
};

// The threshold a session of n parties runs with: options.threshold, or
// floor((n - 1) / 2) when unset. ConfigError when 2t >= n, and when t = 0 with
// n > 1 unless options.insecure_threshold_zero is set.
std::size_t resolve_threshold(const SessionOptions& options, std::size_t n);

}  // namespace meshmpc
