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
//  dn07 — Damgard-Nielsen double sharings (from PRSS, or extracted: one more
//         round), a king per element (rotating) reconstructs and returns; two
//         rounds, 2(n-1)/n elements per party.
enum class MulProtocol { grr, dn07 };

std::string to_string(MulProtocol m);
MulProtocol mul_protocol_from_string(const std::string& s);

// Where random sharings (random values, zero sharings, double sharings, random
// bits) come from (docs/protocols.md):
//  prss       — pseudo-random secret sharing (CDI05): no messages, but C(n-1, t)
//               PRF streams per sharing per party and C(n, t) keys at set-up;
//  extraction — every party deals, a Vandermonde matrix extracts n - t sharings
//               per dealt column (DN07): one round, O(n) work per sharing;
//  automatic  — whichever is faster at this n and t (resolve_randomness).
enum class Randomness { automatic, prss, extraction };

std::string to_string(Randomness r);
Randomness randomness_from_string(const std::string& s);

// How a fixed-point product is truncated back to f fractional bits
// (protocols/fxp.hpp, docs/protocols.md):
//  sum  — the mask's low part is a sum of m uniform terms (PRSS keys or t + 1
//         dealers): no random bits, a product costs about 2 products; the result
//         is within (m + 1) / 2 units of the last place (< 2 at n = 3), unbiased,
//         and a multiple of 2^f (e.g. 0 * y) is not kept exact;
//  bits — the low part is made of f random bits (MPyC's trunc): within 1 unit,
//         exact on multiples of 2^f, at the price of f random bits (about f
//         products) per value.
enum class Truncation { sum, bits };

std::string to_string(Truncation t);
Truncation truncation_from_string(const std::string& s);

// The default SessionOptions::comparison_slice: bench/results/memory.csv has the
// peak memory it gives (tools/bench-report.sh).
inline constexpr std::size_t kDefaultComparisonSlice = 8192;

struct SessionOptions {
  // t: up to t colluding parties learn nothing. Unset: the largest allowed,
  // floor((n - 1) / 2) (as the CLI's -T), resolved when the session starts and n
  // is known (resolve_threshold). The runtime requires 2t < n.
  std::optional<std::size_t> threshold;
  MulProtocol mul = MulProtocol::grr;
  // Resolved to prss or extraction when the session starts (resolve_randomness);
  // options() then holds the resolved mode.
  Randomness randomness = Randomness::automatic;
  // Statistical security parameter k of comparisons and other masked openings: a
  // masked value leaks with statistical distance about 2^-k (docs/protocols.md).
  std::size_t sec_param = 30;
  Truncation truncation = Truncation::sum;
  // Comparisons (and equality tests) of more values than this run in slices of
  // this many, two at a time (protocols::in_slices): a comparison's working memory
  // is dozens of elements per value, so the slice, not the batch, bounds it. Each
  // further pair of slices costs the comparison's rounds again. 0: the whole batch
  // at once (fewest rounds, memory growing with the batch).
  std::size_t comparison_slice = kDefaultComparisonSlice;
  // t = 0 among n > 1 parties means every share *is* its secret: no privacy at all.
  // Refused unless asked for by name here (e.g. to measure the protocols' cost
  // without the sharing; the CLI's -T 0 sets it).
  bool insecure_threshold_zero = false;
};

// The threshold a session of n parties runs with: options.threshold, or
// floor((n - 1) / 2) when unset. ConfigError when 2t >= n, and when t = 0 with
// n > 1 unless options.insecure_threshold_zero is set.
std::size_t resolve_threshold(const SessionOptions& options, std::size_t n);

// `automatic` picks PRSS up to this threshold t and extraction beyond. Measured
// with tools/bench-randomness.sh (docs/protocols.md): at t = 1 PRSS needs only
// n - 1 streams per sharing and makes random bits by a dealt XOR (one product a
// bit), and comparisons ran 1.8-3x faster with it at every n tried (3..15); from
// t = 2 on (C(n - 1, t) >= 6 streams) extraction was as fast or faster at n = 5
// and 6, and 2x (n = 7) to 85x (n = 15) faster for comparisons beyond.
inline constexpr std::size_t kMaxAutoPrssThreshold = 1;

// The concrete randomness of a session with threshold t: the
// explicit choice, or for `automatic` a rule on t alone (kMaxAutoPrssThreshold),
// so every party resolves the same (setup's digest compares the result).
Randomness resolve_randomness(const SessionOptions& options, std::size_t t);

}  // namespace meshmpc
