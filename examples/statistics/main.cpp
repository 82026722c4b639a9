// statistics: every party holds rows (x, y) of a data set in a CSV file; together
// they learn summary statistics of all rows and the least-squares line
// y ~ slope x + intercept — and nothing else about any row (each party's number
// of rows is public). Secure fixed-point numbers, secfxp(32, 16), over
// GF(2^127 - 1): a product of two 32-bit values and its 30-bit mask need ~97 bits.
//
//   statistics -M 3 --data d/party0.csv,d/party1.csv,d/party2.csv   # all here
//   statistics -I 1 -P host0:11365 -P host1:11365 -P host2:11365 --data mine.csv
//
// A CSV holds two numeric columns; a first line that is not numeric is the
// header (its names label the output), lines starting with # are comments.
// Values must lie in [-32768, 32768) and the sums of the statistics below 32768.
#include "common/report.hpp"

#include <meshmpc/cli/run.hpp>
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/runtime/field_choice.hpp>
#include <meshmpc/runtime/statistics.hpp>

#include <boost/json/object.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace po = boost::program_options;
using meshmpc::ConfigError;
using meshmpc::Fp127;
using meshmpc::SecFxp;
using meshmpc::Session;
namespace ex = meshmpc::examples;
namespace stats = meshmpc::statistics;

const meshmpc::secfxp kType(32, 16);

struct Rows {
  std::string x_name = "x", y_name = "y";
  std::vector<double> x, y;
};

// One line "a,b" as two numbers; false if it is not (a header).
bool parse_row(const std::string& line, double& a, double& b) {
  std::istringstream in(line);
  char comma = 0;
  std::string rest;
  return static_cast<bool>(in >> a >> comma >> b) && comma == ',' && !(in >> rest);
}

Rows read_rows(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read the data file " + path);
  Rows rows;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    double a = 0, b = 0;
    if (parse_row(line, a, b)) {
      rows.x.push_back(a);
      rows.y.push_back(b);
      continue;
    }
    const auto comma = line.find(',');
    if (!rows.x.empty() || comma == std::string::npos)
      throw ConfigError(path + " line " + std::to_string(number) + ": expected two numbers, got '" + line + "'");
    rows.x_name = line.substr(0, comma);
    rows.y_name = line.substr(comma + 1);
  }
  if (rows.x.empty()) throw ConfigError(path + " has no rows");
  for (std::size_t i = 0; i < rows.x.size(); ++i) {  // the range check, with the file named
    try {
      (void)meshmpc::fxp::scaled(rows.x[i], kType, i);
      (void)meshmpc::fxp::scaled(rows.y[i], kType, i);
    } catch (const meshmpc::RangeError& e) {
      throw ConfigError(path + ": " + e.what());
    }
  }
  return rows;
}

struct Study {
  std::vector<Rows> rows;  // every party's when all run here, else this party's alone
  bool all_here;
  ex::Report report;
  const Rows& of(std::size_t party) const { return all_here ? rows.at(party) : rows.front(); }
};

// All rows of column `y` (or x), each party's in turn: the counts first (public).
template <class F>
boost::asio::awaitable<SecFxp<F>> column(Session<F>& s, const std::vector<std::int64_t>& counts,
                                         const std::vector<double>& mine) {
  std::vector<SecFxp<F>> parts;
  for (std::size_t owner = 0; owner < s.n(); ++owner) {
    const std::span<const double> values = owner == s.id() ? std::span<const double>(mine) : std::span<const double>{};
    parts.push_back(co_await s.input(kType, owner, values, static_cast<std::size_t>(counts[owner])));
  }
  co_return SecFxp<F>::concat(parts);
}

void print_result(const Study& a, std::size_t party, std::size_t rows, const std::vector<double>& v) {
  const Rows& names = a.of(party);
  char text[600];
  std::snprintf(text, sizeof text,
                "%zu rows: %s mean %.4f, stdev %.4f; %s mean %.4f, stdev %.4f, median %.4f; correlation %.4f; "
                "%s = %.4f %s + %.4f",
                rows, names.x_name.c_str(), v[0], v[1], names.y_name.c_str(), v[2], v[3], v[4], v[5],
                names.y_name.c_str(), v[6], names.x_name.c_str(), v[7]);
  a.report.public_result(party, text,
                         {{"rows", rows}, {"mean_x", v[0]}, {"stdev_x", v[1]}, {"mean_y", v[2]}, {"stdev_y", v[3]},
                          {"median_y", v[4]}, {"correlation", v[5]}, {"slope", v[6]}, {"intercept", v[7]}});
}

boost::asio::awaitable<void> study(Session<Fp127>& s, const Study& a) {
  const Rows& mine = a.of(s.id());
  const std::vector<std::int64_t> my_count(1, static_cast<std::int64_t>(mine.x.size()));
  const auto counted = co_await s.input_all(meshmpc::secint(32), my_count);
  const auto counts = co_await s.output(meshmpc::SecInt<Fp127>::concat(counted));
  const auto x = co_await column(s, counts, mine.x);
  const auto y = co_await column(s, counts, mine.y);
  std::vector<SecFxp<Fp127>> results;
  results.push_back(co_await stats::mean(s, x));
  results.push_back(co_await stats::stdev(s, x));
  results.push_back(co_await stats::mean(s, y));
  results.push_back(co_await stats::stdev(s, y));
  results.push_back(co_await stats::median(s, y));
  results.push_back(co_await stats::correlation(s, x, y));
  auto [slope, intercept] = co_await stats::linear_regression(s, x, y);
  results.push_back(slope);
  results.push_back(intercept);
  const auto opened = co_await s.output(SecFxp<Fp127>::concat(results));
  print_result(a, s.id(), x.size(), opened);
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  meshmpc::cli::keep_freed_memory();
  meshmpc::cli::Parser parser("statistics", "Summary statistics and the regression line of the parties' rows.");
  parser.add_options()("data", po::value<std::string>(),
                       "this party's CSV file, or with all parties on this machine one per party, comma-separated");
  ex::add_json_option(parser);
  return meshmpc::cli::main<Fp127>(parser, argc, argv, Fp127{}, [](const meshmpc::cli::RunOptions& o) {
    if (!o.vars.count("data")) throw ConfigError("give --data FILE (this party's rows, a CSV of two columns)");
    const std::size_t t = meshmpc::resolve_threshold(meshmpc::cli::session_options(o), o.parties);
    const auto field = meshmpc::choose_fixed_point_field({kType.bits, kType.frac, o.sec_param, t});
    if (field.field == meshmpc::ShippedField::ntl)
      throw ConfigError("-K " + std::to_string(o.sec_param) + " with secfxp(32, 16) needs a field of " +
                        std::to_string(field.needed_bits) + " bits; this example runs over GF(2^127 - 1): lower -K");
    const auto files = split(o.vars["data"].as<std::string>());
    const bool all_here = !o.index.has_value() && !o.transport_discovers;
    if (all_here && files.size() != o.parties)
      throw ConfigError("--data lists " + std::to_string(files.size()) + " files for " + std::to_string(o.parties) +
                        " parties on this machine (one each)");
    if (!all_here && files.size() != 1 && files.size() != o.parties)
      throw ConfigError("--data: give this party's file (or one per party)");
    auto study_data = std::make_shared<Study>(Study{{}, all_here, ex::Report(o)});
    if (!all_here && files.size() > 1)
      study_data->rows.push_back(read_rows(files.at(o.index.value_or(0))));
    else
      for (const auto& f : files) study_data->rows.push_back(read_rows(f));
    std::shared_ptr<const Study> a = study_data;
    return meshmpc::PartyProgram<Fp127>([a](Session<Fp127>& s) { return study(s, *a); });
  });
}
