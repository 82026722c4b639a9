// Compiles the runtime for NtlField once, so that template errors show up when the
// library builds rather than in a user's program. One file per shipped field: the
// three compile in parallel (together they were the longest step of a build).
#include <meshmpc/field/ntl_field.hpp>
#include <meshmpc/runtime/session.hpp>

namespace meshmpc {
template class Session<NtlField>;
}  // namespace meshmpc
