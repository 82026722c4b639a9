// millionaires: Yao's millionaires' problem for n parties. Every party brings its
// wealth; together they learn which party is the richest (ties: the lowest
// index) — not the wealth, not the order of the others.
//
//   millionaires -M 3 --wealths 3,9,4                # three parties on this machine
//   millionaires -I 0 -P host0:11365 -P host1:11365 -P host2:11365 --wealth 3
#include "common/party_values.hpp"
#include "common/report.hpp"

#include <meshmpc/cli/fitted_field.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace {

using meshmpc::ConfigError;
using meshmpc::SecInt;
using meshmpc::Session;
namespace ex = meshmpc::examples;

struct Millionaires {
  ex::PartyValues wealth;
  std::size_t bits;
  ex::Report report;
};

void print_result(const Millionaires& m, std::size_t party, std::int64_t richest) {
  m.report.public_result(party, "party " + std::to_string(richest) + " is the richest", {{"richest", richest}});
}

template <class F>
boost::asio::awaitable<void> millionaires(Session<F>& s, const Millionaires& m) {
  const std::vector<std::int64_t> mine(1, m.wealth.of(s.id()));
  const auto w = SecInt<F>::concat(co_await s.input_all(meshmpc::secint(m.bits), mine));  // w[i]: party i's
  const auto [index, top] = co_await s.argmax(w);  // both secret; only the index is opened
  const auto richest = co_await s.output(index);
  print_result(m, s.id(), richest[0]);
}

}  // namespace

int main(int argc, char** argv) {
  meshmpc::cli::keep_freed_memory();  // large batches reuse freed memory (cli/run.hpp)
  meshmpc::cli::Parser parser("millionaires", "Which party is the richest (ties: the lowest index); nothing else.");
  const ex::ValueOptions names{"wealth", "wealths", "wealth"};
  ex::add_value_options(parser, names);
  ex::add_json_option(parser);
  return meshmpc::cli::main_fitted(parser, argc, argv, [names](const meshmpc::cli::RunOptions& o) {
    if (o.parties < 2) throw ConfigError("the millionaires' problem needs at least 2 parties (-M 2 or more)");
    const std::size_t bits = ex::integer_bits(o);
    auto m = std::make_shared<const Millionaires>(
        Millionaires{ex::party_values(o, names, ex::nonnegative_within(bits, "wealth")), bits, ex::Report(o)});
    return meshmpc::cli::fitted(bits, [m](auto& s) { return millionaires(s, *m); });
  });
}
