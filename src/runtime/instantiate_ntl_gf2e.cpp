// Compiles Session's protocol members for one shipped field once, into the
// library: programs see only their declarations (session.hpp, session_ntl.hpp)
// and link these. One file per field, so that they compile in parallel.
#include <meshmpc/field/ntl_gf2e.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/runtime/session_impl.hpp>

namespace meshmpc {
template class Session<NtlGF2E>;
MESHMPC_RUN_LOCAL_INSTANTIATION(, NtlGF2E)
}  // namespace meshmpc
