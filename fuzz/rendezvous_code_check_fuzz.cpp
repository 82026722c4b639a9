// The session code check (rendezvous/code_check.hpp) on blobs from a party that
// does not play by the rules: three parties, we are party 0, party 2 is honest and
// party 1's round-1 and round-2 blobs are the input (a 2-byte big-endian length,
// that many bytes of round 1, the rest round 2). Whatever they hold, party 1 is
// named and nothing but CodeCheckError escapes: its blobs never pass without the
// ISK. The whole input is also a session code typed by a user.
#include <algorithm>
#include <array>
#include <vector>

#include <meshmpc/error.hpp>
#include <meshmpc/rendezvous/code_check.hpp>
#include <meshmpc/rendezvous/session_code.hpp>

#include "fuzz_input.hpp"

namespace {

using namespace meshmpc;
using namespace meshmpc::rendezvous;

constexpr std::string_view kCode = "7-acorn-zebra";

const std::vector<net::tls::Fingerprint>& parties() {
  static const std::vector<net::tls::Fingerprint> fps = [] {
    std::vector<net::tls::Fingerprint> out(3);
    for (std::size_t i = 0; i < out.size(); ++i) out[i].fill(static_cast<std::byte>(0x10 * (i + 1)));
    return out;
  }();
  return fps;
}

bool names(const CodeCheckError& e, std::size_t party) {
  return std::find(e.parties().begin(), e.parties().end(), party) != e.parties().end();
}

void fuzz_code(std::string_view text) {
  try {
    const std::string code = normalise_session_code(text, "fuzz");
    fuzz::require(normalise_session_code(code, "fuzz") == code, "normalise is idempotent");
    fuzz::require(code.size() <= kSessionCodeMaxText, "a code is at most kSessionCodeMaxText long");
  } catch (const ConfigError&) {
  }
}

void fuzz_blobs(std::span<const std::byte> bytes) {
  if (bytes.size() < 2) return;
  const std::size_t first_size = (static_cast<std::size_t>(bytes[0]) << 8) | static_cast<std::size_t>(bytes[1]);
  bytes = bytes.subspan(2);
  if (first_size > bytes.size()) return;
  const std::vector<std::byte> first1(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(first_size));
  const std::vector<std::byte> second1(bytes.begin() + static_cast<std::ptrdiff_t>(first_size), bytes.end());

  std::array<std::byte, 32> roster_hash{};
  roster_hash.fill(std::byte{0x5a});
  CodeCheck us(kCode, roster_hash, parties(), 0);
  CodeCheck honest(kCode, roster_hash, parties(), 2);
  const std::vector<std::vector<std::byte>> first{us.first_message(), first1, honest.first_message()};

  std::vector<std::vector<std::byte>> second(3);
  try {
    second[0] = us.second_message(first);
  } catch (const CodeCheckError& e) {
    fuzz::require(e.parties() == std::vector<std::size_t>{1}, "round 1 names only the party whose blob is bad");
    return;
  }
  try {
    second[2] = honest.second_message(first);
  } catch (const CodeCheckError& e) {
    fuzz::require(e.parties() == std::vector<std::size_t>{1}, "round 1 names only the party whose blob is bad");
  }
  second[1] = second1;
  try {
    us.check(second);
    fuzz::require(false, "a confirmation made without the ISK verified");
  } catch (const CodeCheckError& e) {
    fuzz::require(names(e, 1), "party 1 is named");
    fuzz::require(names(e, 2) == second[2].empty(), "party 2 is named exactly when it sent nothing");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_code(meshmpc::fuzz::text_of(data, size));
  fuzz_blobs(meshmpc::fuzz::bytes_of(data, size));
  return 0;
}
