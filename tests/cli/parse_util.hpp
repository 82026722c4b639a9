#pragma once
// The CLI tests' way to parse a command line: as program "prog", and the
// ConfigError text of one that must be refused (a test failure when none is).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <meshmpc/cli/options.hpp>
#include <meshmpc/error.hpp>

namespace meshmpc::cli::test {

inline RunOptions parse(std::vector<std::string> args) {
  args.insert(args.begin(), "prog");
  return Parser("prog", "A test program.").parse(args);
}

inline std::string error_of(const std::vector<std::string>& args) {
  try {
    parse(args);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError";
  return {};
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace meshmpc::cli::test
