#include <meshmpc/sharing/shamir.hpp>

namespace meshmpc {

template class Shamir<Fp64>;
template class Shamir<Fp127>;

}  // namespace meshmpc
