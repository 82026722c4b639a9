// vote: every party votes for one of c options; together they learn the tally
// (how many votes each option got) — or with --winner-only just the winning
// option (ties: the lowest) — and nothing about who voted for what.
// Each vote enters as a secret unit vector (a one at the chosen option), so the
// tally is the sum of the votes: no comparisons, one round for the inputs and one
// for the output.
//
//   vote -M 5 --options 3 --choices 0,2,2,1,2        # five voters on this machine
//   vote -I 2 -P host0:11365 -P host1:11365 -P host2:11365 --options 3 --choice 2
#include "common/party_values.hpp"
#include "common/report.hpp"

#include <meshmpc/cli/fitted_field.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <bit>
#include <string>

namespace {

namespace po = boost::program_options;
using meshmpc::ConfigError;
using meshmpc::SecInt;
using meshmpc::Session;
namespace ex = meshmpc::examples;

// A tally counts at most n votes: l bits with 2^(l-1) > n hold it, and keep the
// comparisons of --winner-only cheap (and in the 64-bit field at any n).
std::size_t tally_bits(std::size_t n) { return std::max<std::size_t>(2, static_cast<std::size_t>(std::bit_width(n)) + 1); }
// A vote is a vector of this many secure integers: a sane bound on the ballot.
constexpr std::int64_t kMaxOptions = 1000;

struct Vote {
  ex::PartyValues choices;
  std::size_t options;
  std::size_t bits;
  bool winner_only;
  ex::Report report;
};

void print_tally(const Vote& v, std::size_t party, const std::vector<std::int64_t>& tally) {
  std::string text = "tally:";
  for (std::size_t j = 0; j < tally.size(); ++j)
    text += (j ? ", " : " ") + std::string("option ") + std::to_string(j) + ": " + std::to_string(tally[j]);
  boost::json::array counts(tally.begin(), tally.end());
  v.report.public_result(party, text, {{"tally", std::move(counts)}});
}

void print_winner(const Vote& v, std::size_t party, std::int64_t winner) {
  v.report.public_result(party, "option " + std::to_string(winner) + " wins", {{"winner", winner}});
}

template <class F>
boost::asio::awaitable<void> vote(Session<F>& s, const Vote& v) {
  std::vector<std::int64_t> ballot(v.options, 0);
  ballot[static_cast<std::size_t>(v.choices.of(s.id()))] = 1;
  const auto ballots = co_await s.input_all(meshmpc::secint(v.bits), ballot);  // ballots[i]: party i's unit vector
  auto tally = ballots[0];
  for (std::size_t i = 1; i < ballots.size(); ++i) tally = tally + ballots[i];
  if (v.winner_only) {
    const auto best = co_await s.argmax(tally);
    const auto winner = co_await s.output(best.first);
    print_winner(v, s.id(), winner[0]);
  } else {
    const auto counts = co_await s.output(tally);
    print_tally(v, s.id(), counts);
  }
}

}  // namespace

int main(int argc, char** argv) {
  meshmpc::cli::keep_freed_memory();  // large batches reuse freed memory (cli/run.hpp)
  meshmpc::cli::Parser parser("vote", "Every party votes for one of c options; the tally (or the winner), nothing else.");
  parser.add_options()("options", po::value<std::int64_t>()->default_value(2), "the number of options c (choices 0..c-1)")(
      "winner-only", "reveal only the winning option (ties: the lowest), not the tally");
  const ex::ValueOptions names{"choice", "choices", "choice"};
  ex::add_value_options(parser, names);
  ex::add_json_option(parser);
  // Tallies have a few bits (tally_bits): Fp64 or Fp127 always hold them.
  return meshmpc::cli::main_fitted<false>(parser, argc, argv, [names](const meshmpc::cli::RunOptions& o) {
    const std::int64_t c = o.vars["options"].as<std::int64_t>();
    if (c < 2 || c > kMaxOptions)
      throw ConfigError("--options " + std::to_string(c) + ": a vote has 2 to " + std::to_string(kMaxOptions) +
                        " options");
    const auto in_range = [c](std::int64_t choice, std::size_t party) {
      if (choice < 0 || choice >= c)
        throw ConfigError("choice " + std::to_string(choice) + " of party " + std::to_string(party) +
                          " is not an option: choose 0.." + std::to_string(c - 1));
    };
    auto v = std::make_shared<const Vote>(Vote{ex::party_values(o, names, in_range), static_cast<std::size_t>(c),
                                               tally_bits(o.parties),
                                               o.vars.count("winner-only") > 0, ex::Report(o)});
    return meshmpc::cli::fitted(v->bits, [v](auto& s) { return vote(s, *v); });
  });
}
