// auction: a sealed-bid auction. Every party bids; together they learn who won
// and the price — nothing else about the bids. Vickrey (second price, default):
// the winner pays the second-highest bid; --first-price: the winner pays its own
// bid. Ties go to the lowest index (and then the price is the tied bid).
//
//   auction -M 3 --bids 10,25,17                    # three bidders on this machine
//   auction -I 1 -P host0:11365 -P host1:11365 -P host2:11365 --bid 25
#include "common/party_values.hpp"
#include "common/report.hpp"

#include <meshmpc/cli/fitted_field.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace {

namespace po = boost::program_options;
using meshmpc::ConfigError;
using meshmpc::SecInt;
using meshmpc::Session;
namespace ex = meshmpc::examples;

struct Auction {
  ex::PartyValues bids;
  std::size_t bits;
  bool vickrey;
  ex::Report report;
};

// [i == w] for i = 0..n-1, from the secret index w: n equality tests at once.
template <class F>
boost::asio::awaitable<SecInt<F>> unit_at(Session<F>& s, const SecInt<F>& w, std::size_t n, std::size_t bits) {
  std::vector<std::int64_t> indices(n);
  for (std::size_t i = 0; i < n; ++i) indices[i] = static_cast<std::int64_t>(i);
  co_return co_await s.eq(s.constant(meshmpc::secint(bits), indices), w.repeated(n));
}

// Outside the coroutine: GCC 12 mishandles initializer lists inside coroutines.
void print_result(const Auction& a, std::size_t party, std::int64_t winner, std::int64_t price) {
  const std::string text = "party " + std::to_string(winner) + " wins and pays " + std::to_string(price) +
                           (a.vickrey ? " (the second-highest bid)" : " (its own bid)");
  a.report.public_result(party, text, {{"winner", winner}, {"price", price}});
}

template <class F>
boost::asio::awaitable<void> auction(Session<F>& s, const Auction& a) {
  const std::vector<std::int64_t> mine(1, a.bids.of(s.id()));
  const auto bids = SecInt<F>::concat(co_await s.input_all(meshmpc::secint(a.bits), mine));  // bids[i]: party i's
  const auto [winner, top] = co_await s.argmax(bids);
  SecInt<F> price = top;
  if (a.vickrey) {
    // The highest of the other bids: the winner's bid set to -1 (below every bid),
    // b_i - [i == w] (b_i + 1), then the maximum again.
    const auto is_winner = co_await unit_at(s, winner, s.n(), a.bits);
    const auto winner_part = co_await s.mul(is_winner, bids + 1);
    const auto others = co_await s.argmax(bids - winner_part);
    price = others.second;
  }
  std::vector<SecInt<F>> parts;  // one opening for both
  parts.push_back(winner);
  parts.push_back(price);
  const auto opened = co_await s.output(SecInt<F>::concat(parts));
  print_result(a, s.id(), opened[0], opened[1]);
}

}  // namespace

int main(int argc, char** argv) {
  meshmpc::cli::keep_freed_memory();  // large batches reuse freed memory (cli/run.hpp)
  meshmpc::cli::Parser parser("auction",
                              "A sealed-bid auction: the winner (highest bid, ties to the lowest index) and the "
                              "price; nothing else about the bids.");
  const ex::ValueOptions names{"bid", "bids", "bid"};
  ex::add_value_options(parser, names);
  parser.add_options()("vickrey", "second-price auction: the winner pays the second-highest bid (default)")(
      "first-price", "first-price auction: the winner pays its own bid");
  ex::add_json_option(parser);
  return meshmpc::cli::main_fitted(parser, argc, argv, [names](const meshmpc::cli::RunOptions& o) {
    if (o.vars.count("vickrey") && o.vars.count("first-price"))
      throw ConfigError("give only one of --vickrey, --first-price");
    if (o.parties < 2) throw ConfigError("an auction needs at least 2 bidders (-M 2 or more)");
    const std::size_t bits = ex::integer_bits(o);
    auto a = std::make_shared<const Auction>(Auction{ex::party_values(o, names, ex::nonnegative_within(bits, "bid")),
                                                     bits, o.vars.count("first-price") == 0, ex::Report(o)});
    return meshmpc::cli::fitted(bits, [a](auto& s) { return auction(s, *a); });
  });
}
