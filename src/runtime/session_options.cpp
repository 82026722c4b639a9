#include <meshmpc/error.hpp>
#include <meshmpc/runtime/session_options.hpp>

namespace meshmpc {

std::string to_string(MulProtocol m) { return m == MulProtocol::grr ? "grr" : "dn07"; }

MulProtocol mul_protocol_from_string(const std::string& s) {
  if (s == "grr") return MulProtocol::grr;
  if (s == "dn07") return MulProtocol::dn07;
  throw ConfigError("unknown multiplication protocol '" + s + "' (known: grr, dn07)");
}

std::string to_string(Randomness r) {
  switch (r) {
    case Randomness::automatic: return "auto";
    case Randomness::prss: return "prss";
    case Randomness::extraction: return "extraction";
  }
  return "unknown";
}

Randomness randomness_from_string(const std::string& s) {
  if (s == "auto") return Randomness::automatic;
  if (s == "prss") return Randomness::prss;
  if (s == "extraction") return Randomness::extraction;
  throw ConfigError("unknown randomness '" + s + "' (known: auto, prss, extraction)");
}

std::string to_string(Truncation t) { return t == Truncation::sum ? "sum" : "bits"; }

Truncation truncation_from_string(const std::string& s) {
  if (s == "sum") return Truncation::sum;
  if (s == "bits") return Truncation::bits;
  throw ConfigError("unknown truncation '" + s + "' (known: sum, bits)");
}

Randomness resolve_randomness(const SessionOptions& options, std::size_t t) {
  if (options.randomness != Randomness::automatic) return options.randomness;
  return t <= kMaxAutoPrssThreshold ? Randomness::prss : Randomness::extraction;
}

std::size_t resolve_threshold(const SessionOptions& options, std::size_t n) {
  if (n == 0) throw ConfigError("session of no parties: n must be at least 1");
  const std::size_t largest = (n - 1) / 2;
  const std::size_t t = options.threshold.value_or(largest);
  if (2 * t >= n)
    throw ConfigError("threshold t = " + std::to_string(t) + " needs 2t < n, but n = " + std::to_string(n) +
                      " (largest allowed t is " + std::to_string(largest) + ")");
  if (t == 0 && n > 1 && !options.insecure_threshold_zero) {
    // Name the way out that keeps privacy when there is one (n >= 3).
    const std::string instead = largest > 0 ? "leave the threshold unset for t = " + std::to_string(largest) + ", or "
                                            : "2 parties cannot have an honest majority (2t < n forces t = 0); ";
    throw ConfigError("threshold t = 0 with n = " + std::to_string(n) +
                      " parties: every share would equal its secret, so every party would see every input; " +
                      instead + "set SessionOptions::insecure_threshold_zero (CLI: -T 0) to run without privacy");
  }
  return t;
}

}  // namespace meshmpc
