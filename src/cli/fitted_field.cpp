#include <meshmpc/cli/fitted_field.hpp>
#include <meshmpc/runtime/session_options.hpp>

namespace meshmpc::cli {

FieldChoice choose_field(const RunOptions& options, std::size_t bit_length) {
  // The field does not depend on t, but a threshold the session would refuse
  // (n = 2 without -T 0) is refused here, before any party starts (exit status 2).
  (void)resolve_threshold(session_options(options), options.parties);
  return choose_integer_field({.bit_length = bit_length, .sec_param = options.sec_param});
}

}  // namespace meshmpc::cli
