// salaries: every party has a salary; together they learn the total, the mean and
// the standard deviation of all salaries — and nothing about any single one.
//
//   salaries -M 3 --salaries 52000,61000,48000     # three parties on this machine
//   salaries -I 1 -P host0:11365 -P host1:11365 -P host2:11365 --salary 61000
//
// Written as an MPyC program would be: inputs, arithmetic, outputs; cli::main
// does the start (connect, keys) and the shutdown.
#include "common/party_values.hpp"
#include "common/report.hpp"

#include <meshmpc/cli/run.hpp>
#include <meshmpc/field/fp64.hpp>

#include <boost/json/object.hpp>

#include <cmath>
#include <cstdio>

namespace {

using meshmpc::ConfigError;
using meshmpc::Fp64;
using meshmpc::Session;
namespace ex = meshmpc::examples;

constexpr std::size_t kBits = 32;  // salaries are 32-bit secure integers
// Squares stay below 2^40, so their sum over any number of parties is exact in the
// 64-bit field.
constexpr std::int64_t kMaxSalary = std::int64_t{1} << 20;

struct Salaries {
  ex::PartyValues salaries;
  ex::Report report;
};

void print_result(const Salaries& a, std::size_t party, std::int64_t total, double mean, double sd, std::size_t n) {
  char text[200];
  std::snprintf(text, sizeof text, "total %lld, mean %.2f, standard deviation %.2f over %zu parties",
                static_cast<long long>(total), mean, sd, n);
  a.report.public_result(party, text, {{"total", total}, {"mean", mean}, {"standard_deviation", sd}});
}

boost::asio::awaitable<void> salaries(Session<Fp64>& s, const Salaries& a) {
  const std::vector<std::int64_t> mine(1, a.salaries.of(s.id()));
  const auto x = co_await s.input_all(meshmpc::secint(kBits), mine);  // x[i]: party i's salary
  auto total = x[0];
  for (std::size_t i = 1; i < x.size(); ++i) total = total + x[i];
  auto sum_sq = co_await s.mul(x[0], x[0]);
  for (std::size_t i = 1; i < x.size(); ++i) sum_sq = sum_sq + co_await s.mul(x[i], x[i]);
  const auto t = (co_await s.output(total))[0];
  const auto q = (co_await s.output(sum_sq))[0];
  const double n = static_cast<double>(s.n());
  const double mean = static_cast<double>(t) / n;
  const double var = static_cast<double>(q) / n - mean * mean;
  print_result(a, s.id(), t, mean, std::sqrt(std::max(0.0, var)), s.n());
}

}  // namespace

int main(int argc, char** argv) {
  meshmpc::cli::keep_freed_memory();  // large batches reuse freed memory (cli/run.hpp)
  meshmpc::cli::Parser parser("salaries", "The total, mean and spread of the parties' salaries; nothing else.");
  const ex::ValueOptions names{"salary", "salaries", "salary"};
  ex::add_value_options(parser, names);
  ex::add_json_option(parser);
  return meshmpc::cli::main<Fp64>(parser, argc, argv, Fp64{}, [names](const meshmpc::cli::RunOptions& o) {
    const auto in_range = [](std::int64_t v, std::size_t party) {
      if (v < 0 || v >= kMaxSalary)
        throw ConfigError("salary " + std::to_string(v) + " of party " + std::to_string(party) + " is outside [0, " +
                          std::to_string(kMaxSalary) + "), the range this example takes so that sums of squares "
                          "stay exact");
    };
    auto a = std::make_shared<const Salaries>(Salaries{ex::party_values(o, names, in_range), ex::Report(o)});
    return meshmpc::PartyProgram<Fp64>([a](Session<Fp64>& s) { return salaries(s, *a); });
  });
}
