#pragma once
// Session (and run_local) over the NTL fields the library ships compiled (as session.hpp does for
// Fp64 and Fp127): a prime field of any size (NtlField, what --field picks for
// many parties) and GF(2^d) (NtlGF2E, secret santa over a binary field). A
// separate header because NTL's headers are large and most programs need neither.
#include <meshmpc/field/ntl_field.hpp>
#include <meshmpc/field/ntl_gf2e.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/runtime/session.hpp>

namespace meshmpc {
extern template class Session<NtlField>;
extern template class Session<NtlGF2E>;
MESHMPC_RUN_LOCAL_INSTANTIATION(extern, NtlField)
MESHMPC_RUN_LOCAL_INSTANTIATION(extern, NtlGF2E)
}  // namespace meshmpc
