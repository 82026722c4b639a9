#pragma once
// Reading a string option back from the parsed command line, one way for the
// parser and the transport plugins. Private to the cli.
#include <optional>
#include <string>

#include <boost/program_options/variables_map.hpp>

namespace meshmpc::cli {

// The option's value when it was given, std::nullopt when not.
inline std::optional<std::string> string_if_given(const boost::program_options::variables_map& vars,
                                                  const char* name) {
  if (!vars.count(name)) return std::nullopt;
  return vars[name].as<std::string>();
}

// The option's value, "" when it was not given (where empty means "not set").
inline std::string string_or_empty(const boost::program_options::variables_map& vars, const char* name) {
  return string_if_given(vars, name).value_or("");
}

}  // namespace meshmpc::cli
