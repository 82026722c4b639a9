// Compiles the runtime for the shipped fields once, so that template errors show
// up when the library builds rather than in a user's program.
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/field/ntl_field.hpp>
#include <meshmpc/runtime/session.hpp>

namespace meshmpc {
template class Session<Fp64>;
template class Session<Fp127>;
template class Session<NtlField>;
}  // namespace meshmpc
