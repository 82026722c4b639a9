// statistics: every party holds rows of a data set in a CSV file; together they
// learn summary statistics of all rows and a least-squares fit — and nothing else
// about any row (each party's number of rows is public). Secure fixed-point
// numbers, secfxp(32, 16), over GF(2^127 - 1): a product of two 32-bit values and
// its 30-bit mask need ~97 bits.
//
//   statistics -M 3 --data d/party0.csv,d/party1.csv,d/party2.csv   # all here
//   statistics -I 1 -P host0:11365 -P host1:11365 -P host2:11365 --data mine.csv
//
// Two columns (x, y): the means, spreads and median, the correlation and the
// line y ~ slope x + intercept. More columns (x1, ..., xd, y; the shape of MPyC's
// ridge regression demo): y's summary and the fit y ~ b0 + b1 x1 + ... + bd xd,
// ridge-regularized with --ridge. A first line that is not numeric is the header
// (its names label the output), lines starting with # are comments. Values must
// lie in [-32768, 32768) and the sums of the statistics below 32768.
#include "common/report.hpp"

#include <meshmpc/cli/run.hpp>
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/runtime/field_choice.hpp>
#include <meshmpc/runtime/statistics.hpp>

#include <boost/json/object.hpp>

#include <boost/json/array.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
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

// The columns of one party's file, in file order; the last is the target y.
struct Rows {
  std::vector<std::string> names;
  std::vector<std::vector<double>> columns;
  std::size_t size() const { return columns.front().size(); }
};

// One line of comma-separated numbers; nullopt if any field is not a number.
std::optional<std::vector<double>> parse_row(const std::string& line) {
  std::vector<double> out;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) {
    std::istringstream number(field);
    double v = 0;
    std::string rest;
    if (!(number >> v) || (number >> rest)) return std::nullopt;
    out.push_back(v);
  }
  return out;
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

Rows read_rows(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read the data file " + path);
  Rows rows;
  std::string line;
  std::size_t width = 0;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    const auto values = parse_row(line);
    if (!values) {
      if (width != 0)
        throw ConfigError(path + " line " + std::to_string(number) + ": expected " + std::to_string(width) +
                          " numbers, got '" + line + "'");
      rows.names = split(line);
      width = rows.names.size();
      if (width < 2) throw ConfigError(path + " line " + std::to_string(number) + ": a header of at least two columns");
      continue;
    }
    if (width == 0) width = values->size();
    if (values->size() != width || width < 2)
      throw ConfigError(path + " line " + std::to_string(number) + ": expected " + std::to_string(std::max<std::size_t>(width, 2)) +
                        " numbers, got '" + line + "'");
    rows.columns.resize(width);
    for (std::size_t c = 0; c < width; ++c) rows.columns[c].push_back((*values)[c]);
  }
  if (rows.columns.empty()) throw ConfigError(path + " has no rows");
  if (rows.names.empty()) {
    for (std::size_t c = 0; c + 1 < width; ++c) rows.names.push_back(width == 2 ? "x" : "x" + std::to_string(c + 1));
    rows.names.push_back("y");
  }
  for (const auto& column : rows.columns)  // the range check, with the file named
    for (std::size_t i = 0; i < column.size(); ++i) {
      try {
        (void)meshmpc::fxp::scaled(column[i], kType, i);
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
  double ridge = 0;
  const Rows& of(std::size_t party) const { return all_here ? rows.at(party) : rows.front(); }
};

// All rows of one column, each party's in turn: the counts first (public).
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

void print_line(const Study& a, std::size_t party, std::size_t rows, const std::vector<double>& v) {
  const auto& names = a.of(party).names;
  char text[600];
  std::snprintf(text, sizeof text,
                "%zu rows: %s mean %.4f, stdev %.4f; %s mean %.4f, stdev %.4f, median %.4f; correlation %.4f; "
                "%s = %.4f %s + %.4f",
                rows, names[0].c_str(), v[0], v[1], names[1].c_str(), v[2], v[3], v[4], v[5], names[1].c_str(), v[6],
                names[0].c_str(), v[7]);
  a.report.public_result(party, text,
                         {{"rows", rows}, {"mean_x", v[0]}, {"stdev_x", v[1]}, {"mean_y", v[2]}, {"stdev_y", v[3]},
                          {"median_y", v[4]}, {"correlation", v[5]}, {"slope", v[6]}, {"intercept", v[7]}});
}

// y's summary (v[0..2]) and the fit (v[3] the intercept, then one coefficient per feature).
void print_fit(const Study& a, std::size_t party, std::size_t rows, double ridge, const std::vector<double>& v) {
  const auto& names = a.of(party).names;
  const std::size_t d = names.size() - 1;
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(4);
  text << rows << " rows: " << names[d] << " mean " << v[0] << ", stdev " << v[1] << ", median " << v[2] << "; "
       << names[d] << " = " << v[3];
  boost::json::array coefficients;
  for (std::size_t i = 0; i < d; ++i) {
    text << (v[4 + i] < 0 ? " - " : " + ") << std::fabs(v[4 + i]) << " " << names[i];
    coefficients.push_back(v[4 + i]);
  }
  if (ridge > 0) text << " (ridge " << std::defaultfloat << ridge << ")";
  a.report.public_result(party, text.str(),
                         {{"rows", rows}, {"mean_y", v[0]}, {"stdev_y", v[1]}, {"median_y", v[2]}, {"ridge", ridge},
                          {"intercept", v[3]}, {"coefficients", coefficients}});
}

boost::asio::awaitable<void> study(Session<Fp127>& s, const Study& a) {
  const Rows& mine = a.of(s.id());
  const std::vector<std::int64_t> my_count(1, static_cast<std::int64_t>(mine.size()));
  const auto counted = co_await s.input_all(meshmpc::secint(32), my_count);
  const auto counts = co_await s.output(meshmpc::SecInt<Fp127>::concat(counted));
  std::vector<SecFxp<Fp127>> columns;
  for (const auto& values : mine.columns) columns.push_back(co_await column(s, counts, values));
  const SecFxp<Fp127> y = columns.back();
  columns.pop_back();
  std::vector<SecFxp<Fp127>> results;
  if (columns.size() == 1) {
    const SecFxp<Fp127>& x = columns.front();
    results.push_back(co_await stats::mean(s, x));
    results.push_back(co_await stats::stdev(s, x));
    results.push_back(co_await stats::mean(s, y));
    results.push_back(co_await stats::stdev(s, y));
    results.push_back(co_await stats::median(s, y));
    results.push_back(co_await stats::correlation(s, x, y));
    auto [slope, intercept] = co_await stats::linear_regression(s, x, y);
    results.push_back(slope);
    results.push_back(intercept);
    print_line(a, s.id(), y.size(), co_await s.output(SecFxp<Fp127>::concat(results)));
    co_return;
  }
  results.push_back(co_await stats::mean(s, y));
  results.push_back(co_await stats::stdev(s, y));
  results.push_back(co_await stats::median(s, y));
  results.push_back(co_await stats::least_squares(s, columns, y, a.ridge));
  print_fit(a, s.id(), y.size(), a.ridge, co_await s.output(SecFxp<Fp127>::concat(results)));
}

}  // namespace

int main(int argc, char** argv) {
  meshmpc::cli::keep_freed_memory();
  meshmpc::cli::Parser parser("statistics",
                              "Summary statistics and the least-squares fit of the parties' rows (the last column "
                              "on the others).");
  parser.add_options()("data", po::value<std::string>(),
                       "this party's CSV file, or with all parties on this machine one per party, comma-separated")(
      "ridge", po::value<double>()->default_value(0.0),
      "ridge regularization of the fit with several features (>= 0; every party the same)");
  ex::add_json_option(parser);
  return meshmpc::cli::main<Fp127>(parser, argc, argv, Fp127{}, [](const meshmpc::cli::RunOptions& o) {
    if (!o.vars.count("data")) throw ConfigError("give --data FILE (this party's rows, a CSV of two or more columns)");
    const double ridge = o.vars["ridge"].as<double>();
    if (!(ridge >= 0) || !std::isfinite(ridge)) throw ConfigError("--ridge " + std::to_string(ridge) + ": give a value >= 0");
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
    auto study_data = std::make_shared<Study>(Study{{}, all_here, ex::Report(o), ridge});
    if (!all_here && files.size() > 1)
      study_data->rows.push_back(read_rows(files.at(o.index.value_or(0))));
    else
      for (const auto& f : files) study_data->rows.push_back(read_rows(f));
    for (const auto& r : study_data->rows)
      if (r.columns.size() != study_data->rows.front().columns.size())
        throw ConfigError("--data: the files have different numbers of columns");
    std::shared_ptr<const Study> a = study_data;
    return meshmpc::PartyProgram<Fp127>([a](Session<Fp127>& s) { return study(s, *a); });
  });
}
