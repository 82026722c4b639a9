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
  std::vector<std::int64_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(parse_integer(where, item));
  if (out.empty()) throw ConfigError(where + ": no values given");
  return out;
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
