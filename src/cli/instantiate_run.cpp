// Compiles run_program (and the run_party it calls) once for each shipped prime
// field, into the library: programs see the `extern` declarations in run.hpp and
// fitted_field.hpp and link these.
#include <meshmpc/cli/fitted_field.hpp>
#include <meshmpc/cli/run_impl.hpp>

namespace meshmpc::cli {
MESHMPC_CLI_RUN_INSTANTIATION(, Fp64)
MESHMPC_CLI_RUN_INSTANTIATION(, Fp127)
MESHMPC_CLI_RUN_INSTANTIATION(, NtlField)
}  // namespace meshmpc::cli
