#pragma once
// Every party of an example brings one integer (a bid, a wealth, a choice). Across
// hosts each party gives its own (`--bid 25`); with all parties on this machine
// (-M N, or --transport inmem) one list gives party i the i-th value (`--bids
// 10,25,17`, or `--bids-file FILE`). Everything is checked before any party starts.
#include <meshmpc/cli/options.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace meshmpc::examples {

// The names of the three options for one kind of value, e.g. {"bid", "bids"}:
// --bid, --bids and --bids-file.
struct ValueOptions {
  std::string single;  // this party's value
  std::string list;    // one value per party, comma-separated
  std::string noun;    // what a value is called in messages ("bid")
};

void add_value_options(cli::Parser& parser, const ValueOptions& names);

// "10,25,17" (blanks around items allowed; an empty item, e.g. after a trailing
// comma, is refused). `where` names the source in errors, with the item's position.
std::vector<std::int64_t> parse_integer_list(const std::string& where, const std::string& text);

// A file of integers separated by commas, blanks or newlines; '#' starts a comment.
std::vector<std::int64_t> read_integer_file(const std::string& path);

// The values of the parties this process runs: all of them in party order when it
// runs every party (a local launch's party 0, or --transport inmem), otherwise this
// party's alone.
class PartyValues {
 public:
  PartyValues(std::vector<std::int64_t> values, bool all_here) : values_(std::move(values)), all_here_(all_here) {}
  std::int64_t of(std::size_t party) const { return all_here_ ? values_.at(party) : values_.front(); }
  const std::vector<std::int64_t>& values() const { return values_; }
  bool all_here() const { return all_here_; }

 private:
  std::vector<std::int64_t> values_;
  bool all_here_;
};

// Checks one value of one party; throws ConfigError naming both.
using ValueCheck = std::function<void(std::int64_t value, std::size_t party)>;

// Reads the values for this process from the options (ConfigError if missing, if
// a list has the wrong length, if an item is not an integer) and checks each.
PartyValues party_values(const cli::RunOptions& options, const ValueOptions& names, const ValueCheck& check);

// A check for values in [0, 2^(bits-1) - 1]: non-negative l-bit secure integers.
ValueCheck nonnegative_within(std::size_t bits, const std::string& noun);

// The bit length of the example's secure integers: -L, 2 to 64 (ConfigError
// otherwise). The field then follows from it (cli::main_fitted).
std::size_t integer_bits(const cli::RunOptions& options);

}  // namespace meshmpc::examples
