// Compiles Session's protocol members for one shipped field once, into the
// library: programs see only their declarations (session.hpp, session_ntl.hpp)
// and link these. One file per field, so that they compile in parallel.
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/runtime/session_impl.hpp>

namespace meshmpc {
template class Session<Fp64>;
MESHMPC_RUN_LOCAL_INSTANTIATION(, Fp64)
}  // namespace meshmpc
