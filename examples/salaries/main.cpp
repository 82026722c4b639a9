// salaries: every party has a salary; together they learn the total, the mean and
// the standard deviation of all salaries — and nothing about any single one.
//
//   salaries -M 3 --salaries 52000,61000,48000     # three parties on this machine
//   salaries -I 1 -P host0:11365 -P host1:11365 -P host2:11365 --salary 61000
//
// Written as an MPyC program would be: inputs, arithmetic, outputs; cli::main
// does the start (connect, keys) and the shutdown.
#include <meshmpc/cli/run.hpp>
#include <meshmpc/field/fp64.hpp>

#include <cmath>
#include <cstdio>
#include <sstream>

namespace {

namespace po = boost::program_options;
using meshmpc::ConfigError;
using meshmpc::Fp64;
using meshmpc::Session;

constexpr std::size_t kBits = 32;  // salaries are 32-bit secure integers

std::vector<std::int64_t> parse_list(const std::string& option, const std::string& text) {
  std::vector<std::int64_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    std::size_t used = 0;
    try {
      out.push_back(std::stoll(item, &used));
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size()) throw ConfigError(option + ": '" + item + "' is not an integer");
  }
  return out;
}

// This party's salary: --salary, or the index-th of --salaries.
std::int64_t own_salary(const meshmpc::cli::RunOptions& o, std::size_t index) {
  if (o.vars.count("salary")) return o.vars["salary"].as<std::int64_t>();
  if (!o.vars.count("salaries")) throw ConfigError("give --salary (this party) or --salaries (one per party)");
  const auto all = parse_list("--salaries", o.vars["salaries"].as<std::string>());
  if (all.size() != o.parties)
    throw ConfigError("--salaries lists " + std::to_string(all.size()) + " values for " + std::to_string(o.parties) +
                      " parties");
  return all[index];
}

boost::asio::awaitable<void> salaries(Session<Fp64>& s, std::int64_t salary) {
  const std::vector mine{salary};
  const auto x = co_await s.input_int_all(mine, kBits);  // x[i]: party i's salary
  auto total = x[0];
  for (std::size_t i = 1; i < x.size(); ++i) total = total + x[i];
  auto sum_sq = co_await s.mul(x[0], x[0]);
  for (std::size_t i = 1; i < x.size(); ++i) sum_sq = sum_sq + co_await s.mul(x[i], x[i]);
  const auto t = (co_await s.output(total))[0];
  const auto q = (co_await s.output(sum_sq))[0];
  const double n = static_cast<double>(s.n());
  const double mean = static_cast<double>(t) / n;
  const double var = static_cast<double>(q) / n - mean * mean;
  std::printf("total %lld, mean %.2f, standard deviation %.2f over %zu parties\n", static_cast<long long>(t), mean,
              std::sqrt(std::max(0.0, var)), s.n());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  meshmpc::cli::Parser parser("salaries", "The total, mean and spread of the parties' salaries; nothing else.");
  parser.add_options()("salary", po::value<std::int64_t>(), "this party's salary")(
      "salaries", po::value<std::string>(), "comma-separated salaries, party i takes the i-th (for -M N)");
  return meshmpc::cli::main<Fp64>(parser, argc, argv, Fp64{}, [](const meshmpc::cli::RunOptions& o) {
    // With -M N and no -I this process is party 0 and launches the others, and
    // --transport inmem runs them all here: then every party picks its own.
    const bool all_here = !o.index.has_value();
    std::vector<std::int64_t> values;
    for (std::size_t i = 0; i < (all_here ? o.parties : 1); ++i)
      values.push_back(own_salary(o, all_here ? i : *o.index));
    for (auto v : values)
      if (v < 0 || v >= (std::int64_t{1} << 20))
        throw ConfigError("salary " + std::to_string(v) + " is outside [0, 1048576), the range this example "
                          "takes so that sums of squares stay exact");
    return meshmpc::PartyProgram<Fp64>([values, all_here](Session<Fp64>& s) {
      return salaries(s, values[all_here ? s.id() : 0]);
    });
  });
}
