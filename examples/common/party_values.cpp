#include "party_values.hpp"

#include <meshmpc/error.hpp>

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
