// The examples' value lists (examples/common/integer_list.hpp): "--bids 10,25,17"
// and the text of a --bids-file. What parses prints back to a list that parses
// to the same values.
#include <string>

#include <meshmpc/error.hpp>

#include "fuzz_input.hpp"
#include "integer_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc;
  const std::string text(fuzz::text_of(data, size));
  try {
    const std::vector<std::int64_t> values = examples::parse_integer_list("--bids", text);
    std::string printed;
    for (const std::int64_t v : values) printed += (printed.empty() ? "" : ",") + std::to_string(v);
    fuzz::require(examples::parse_integer_list("printed", printed) == values, "list round trip");
  } catch (const ConfigError&) {
  }
  try {
    (void)examples::parse_integer_file(text, "bids.txt");
  } catch (const ConfigError&) {
  }
  return 0;
}
