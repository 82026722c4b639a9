#include "party_values.hpp"

#include <meshmpc/error.hpp>

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace meshmpc::examples {

namespace po = boost::program_options;

void add_value_options(cli::Parser& parser, const ValueOptions& names) {
  parser.add_options()(names.single.c_str(), po::value<std::string>(), ("this party's " + names.noun).c_str())(
      names.list.c_str(), po::value<std::string>(),
      ("comma-separated " + names.list + ", party i takes the i-th (all parties on this machine)").c_str())(
      (names.list + "-file").c_str(), po::value<std::string>(),
      ("a file of " + names.list + " (commas, blanks or newlines between them; # comments), party i takes the i-th")
          .c_str());
}

namespace {

std::string trimmed(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

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

}  // namespace

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

std::vector<std::int64_t> read_integer_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw ConfigError("cannot read '" + path + "'");
  std::vector<std::int64_t> out;
  std::size_t line_no = 0;
  for (std::string line; std::getline(file, line);) {
    ++line_no;
    line = line.substr(0, line.find('#'));
    for (char& ch : line)
      if (ch == ',') ch = ' ';
    std::istringstream words(line);
    for (std::string word; words >> word;)
      out.push_back(parse_integer(path + ":" + std::to_string(line_no), word));
  }
  if (out.empty()) throw ConfigError(path + ": no values in the file");
  return out;
}

PartyValues party_values(const cli::RunOptions& o, const ValueOptions& names, const ValueCheck& check) {
  // With -M N and no -I this process is party 0 and launches the others (which
  // get -I i); --transport inmem runs them all here. A discovering transport
  // (tailscale, nebula) runs one party per host, whose index is found only later.
  const bool all_here = !o.index.has_value() && !o.transport_discovers;
  const std::string file_option = names.list + "-file";
  const int given = static_cast<int>(o.vars.count(names.single)) + static_cast<int>(o.vars.count(names.list)) +
                    static_cast<int>(o.vars.count(file_option));
  if (given > 1) throw ConfigError("give only one of --" + names.single + ", --" + names.list + ", --" + file_option);
  std::vector<std::int64_t> values;
  if (o.vars.count(names.single)) {
    if (all_here && o.parties > 1)
      throw ConfigError("--" + names.single + " gives one party's " + names.noun + "; with all " +
                        std::to_string(o.parties) + " parties on this machine give --" + names.list + " (one each)");
    values.push_back(parse_integer("--" + names.single, o.vars[names.single].as<std::string>()));
    check(values.front(), o.index.value_or(0));
    return {values, false};
  }
  std::string source;
  if (o.vars.count(names.list)) {
    source = "--" + names.list;
    values = parse_integer_list(source, o.vars[names.list].as<std::string>());
  } else if (o.vars.count(file_option)) {
    source = o.vars[file_option].as<std::string>();
    values = read_integer_file(source);
  } else {
    throw ConfigError("give --" + names.single + " (this party's " + names.noun + ") or --" + names.list + " / --" +
                      file_option + " (one per party)");
  }
  if (o.transport_discovers)
    throw ConfigError("with --transport " + o.transport + " each host runs one party: give its own --" +
                      names.single + ", not " + source);
  if (values.size() != o.parties)
    throw ConfigError(source + " lists " + std::to_string(values.size()) + " " + names.list + " for " +
                      std::to_string(o.parties) + " parties");
  if (all_here) {
    for (std::size_t i = 0; i < values.size(); ++i) check(values[i], i);
    return {values, true};
  }
  const std::size_t self = *o.index;
  check(values[self], self);
  return {std::vector<std::int64_t>{values[self]}, false};
}

ValueCheck nonnegative_within(std::size_t bits, const std::string& noun) {
  const std::int64_t top = static_cast<std::int64_t>((std::uint64_t{1} << (bits - 1)) - 1);
  return [top, bits, noun](std::int64_t v, std::size_t party) {
    const std::string who = noun + " " + std::to_string(v) + " of party " + std::to_string(party);
    if (v < 0) throw ConfigError(who + " is negative");
    if (v > top)
      throw ConfigError(who + " is beyond the " + std::to_string(bits) + "-bit range (at most " +
                        std::to_string(top) + "; -L sets the bit length)");
  };
}

std::size_t integer_bits(const cli::RunOptions& o) {
  if (o.bit_length < 2 || o.bit_length > 64)
    throw ConfigError("-L " + std::to_string(o.bit_length) + ": this example's secure integers have 2 to 64 bits");
  return o.bit_length;
}

}  // namespace meshmpc::examples
