// Compiles the runtime for Fp127 once, so that template errors show up when the
// library builds rather than in a user's program. One file per shipped field: the
// three compile in parallel (together they were the longest step of a build).
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/runtime/session.hpp>

namespace meshmpc {
template class Session<Fp127>;
}  // namespace meshmpc
