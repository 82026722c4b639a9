#include "integer_list.hpp"

#include <meshmpc/error.hpp>

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace meshmpc::examples {

namespace {

std::string trimmed(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace

std::int64_t parse_integer(const std::string& where, const std::string& raw) {
  const std::string item = trimmed(raw);
  std::int64_t v = 0;
  const char* end = item.data() + item.size();
  const auto [ptr, ec] = std::from_chars(item.data(), end, v);
  if (ec == std::errc::result_out_of_range)
    throw ConfigError(where + ": '" + item + "' is too large for a 64-bit integer");
  if (item.empty() || ec != std::errc() || ptr != end) throw ConfigError(where + ": '" + item + "' is not an integer");
  return v;
}

std::vector<std::int64_t> parse_integer_list(const std::string& where, const std::string& text) {
  if (trimmed(text).empty()) throw ConfigError(where + ": no values given");
  // Every comma separates two items: "10,25," and "10,,30" are both a slip (a value
  // left out or a stray comma), refused naming the item rather than guessed at.
  std::vector<std::int64_t> out;
  std::size_t start = 0;
  for (std::size_t position = 1;; ++position) {
    const std::size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const std::string at = where + ", item " + std::to_string(position);
    if (trimmed(item).empty()) throw ConfigError(at + " is empty (a stray comma in '" + text + "'?)");
    out.push_back(parse_integer(at, item));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::vector<std::int64_t> parse_integer_file(std::string_view text, const std::string& source) {
  std::istringstream file{std::string(text)};
  std::vector<std::int64_t> out;
  std::size_t line_no = 0;
  for (std::string line; std::getline(file, line);) {
    ++line_no;
    line = line.substr(0, line.find('#'));
    for (char& ch : line)
      if (ch == ',') ch = ' ';
    std::istringstream words(line);
    for (std::string word; words >> word;)
      out.push_back(parse_integer(source + ":" + std::to_string(line_no), word));
  }
  if (out.empty()) throw ConfigError(source + ": no values in the file");
  return out;
}

std::vector<std::int64_t> read_integer_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw ConfigError("cannot read '" + path + "'");
  std::ostringstream text;
  text << file.rdbuf();
  return parse_integer_file(text.str(), path);
}

}  // namespace meshmpc::examples
