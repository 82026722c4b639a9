#pragma once
// How an example shows its result: a line of text at every party (each user sees
// it on their own terminal), or with --json one JSON object per line on stdout for
// scripts and tests — printed by party 0 for a public result and by each party for
// its own private one. The summary (wall time, rounds, bytes sent) is not the
// example's: cli::main logs it once per party, measured around the whole party.
#include <meshmpc/cli/options.hpp>

#include <boost/json/object.hpp>

#include <cstddef>
#include <string>

namespace meshmpc::examples {

void add_json_option(cli::Parser& parser);

class Report {
 public:
  explicit Report(const cli::RunOptions& options);

  bool json() const { return json_; }

  // A result everyone learns: the text at every party, the JSON at party 0.
  void public_result(std::size_t party, const std::string& text, const boost::json::object& value) const;
  // A result only this party learns: text or JSON, at this party.
  void private_result(const std::string& text, const boost::json::object& value) const;

 private:
  bool json_;
};

}  // namespace meshmpc::examples
