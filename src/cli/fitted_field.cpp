#include <meshmpc/cli/fitted_field.hpp>
#include <meshmpc/runtime/session_options.hpp>

namespace meshmpc::cli {

FieldChoice choose_field(const RunOptions& options, std::size_t bit_length) {
  const std::size_t t = resolve_threshold(session_options(options), options.parties);
  return choose_integer_field({.bit_length = bit_length, .sec_param = options.sec_param, .threshold = t});
}

}  // namespace meshmpc::cli
