#pragma once
// The examples' value lists as text: "--bids 10,25,17" and the lines of a
// --bids-file. Kept apart from party_values.hpp (which needs the CLI's options)
// so that the parsing alone can be fuzzed (fuzz/value_list_fuzz.cpp).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meshmpc::examples {

// One integer, blanks around it allowed. `where` names the source in errors.
std::int64_t parse_integer(const std::string& where, const std::string& raw);

// "10,25,17" (blanks around items allowed; an empty item, e.g. after a trailing
// comma, is refused). `where` names the source in errors, with the position.
std::vector<std::int64_t> parse_integer_list(const std::string& where, const std::string& text);

// The text of a --bids-file: integers separated by commas, blanks or newlines;
// '#' starts a comment. `source` (the file's path) names it, with the line, in errors.
std::vector<std::int64_t> parse_integer_file(std::string_view text, const std::string& source);

// The same for a file; ConfigError when it cannot be read.
std::vector<std::int64_t> read_integer_file(const std::string& path);

}  // namespace meshmpc::examples
