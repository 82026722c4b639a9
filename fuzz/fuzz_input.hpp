#pragma once
// What every fuzz target needs around libFuzzer's raw input: the bytes as
// std::byte or as text, and a property check that fails loudly. A target catches
// only the exception type its parser documents, so that any other exception
// escapes and libFuzzer reports it (as a crash, with the input saved).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

namespace meshmpc::fuzz {

inline std::span<const std::byte> bytes_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};
}

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A property of a parser (a round trip, a bound it promises) that must hold on
// every input it accepts; abort() makes libFuzzer keep the input as a crash.
inline void require(bool holds, const char* property) {
  if (!holds) {
    std::fprintf(stderr, "fuzz property violated: %s\n", property);
    std::abort();
  }
}

}  // namespace meshmpc::fuzz
