#pragma once
// Decimal numbers from the command line and config files, with the range checked
// here so that "-1" or "99999" never wraps silently (lexical_cast to an unsigned
// type accepts "-1").
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include <meshmpc/error.hpp>

namespace meshmpc::cli::detail {

// `what` names where the text came from: "-M/--parties", "config file 'x': [p1] port".
inline std::uint64_t parse_unsigned(std::string_view text, std::string_view what, std::uint64_t min,
                                    std::uint64_t max) {
  std::uint64_t value = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
    throw ConfigError(std::string(what) + ": '" + std::string(text) + "' is not a whole number");
  }
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    throw ConfigError(std::string(what) + ": " + std::string(text) + " is out of range (" +
                      std::to_string(min) + ".." + std::to_string(max) + ")");
  }
  return value;
}

inline std::uint16_t parse_port(std::string_view text, std::string_view what) {
  return static_cast<std::uint16_t>(parse_unsigned(text, what, 1, 65535));
}

}  // namespace meshmpc::cli::detail
