#pragma once
// How an example shows its result: a line of text at every party (each user sees
// it on their own terminal), or with --json one JSON object per line on stdout for
// scripts and tests — printed by party 0 for a public result and by each party for
// its own private one. Then the summary: wall time, rounds and bytes sent.
#include <meshmpc/cli/options.hpp>
#include <meshmpc/runtime/session.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
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

  // "done in 0.012 s: 48 rounds, 6.2 KiB sent": on stdout after the text, on
  // stderr in JSON mode (stdout then holds only JSON lines).
  void summary(std::chrono::steady_clock::duration elapsed, std::uint64_t rounds, std::uint64_t bytes_sent) const;

 private:
  bool json_;
};

// Measures a party's program from its start: wall time, and at the end the
// session's rounds and the bytes this party sent.
class Meter {
 public:
  Meter() : started_(std::chrono::steady_clock::now()) {}

  template <PrimeField F>
  void finish(const Report& report, const Session<F>& s, std::uint64_t extra_rounds = 0) const {
    report.summary(std::chrono::steady_clock::now() - started_, s.rounds() + extra_rounds,
                   s.statistics().total().sent.wire_bytes());
  }

 private:
  std::chrono::steady_clock::time_point started_;
};

}  // namespace meshmpc::examples
