#include "report.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>

namespace meshmpc::examples {

void add_json_option(cli::Parser& parser) {
  parser.add_options()("json", "print the result as one JSON line (party 0; each party its own private result)");
}

Report::Report(const cli::RunOptions& options) : json_(options.vars.count("json") > 0) {}

namespace {

void print_line(std::FILE* to, const std::string& line) {
  std::fprintf(to, "%s\n", line.c_str());
  std::fflush(to);
}

}  // namespace

void Report::public_result(std::size_t party, const std::string& text, const boost::json::object& value) const {
  if (!json_)
    print_line(stdout, text);
  else if (party == 0)
    print_line(stdout, boost::json::serialize(value));
}

void Report::private_result(const std::string& text, const boost::json::object& value) const {
  print_line(stdout, json_ ? boost::json::serialize(value) : text);
}

}  // namespace meshmpc::examples
