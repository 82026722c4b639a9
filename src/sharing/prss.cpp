#include <meshmpc/sharing/prss.hpp>

namespace meshmpc {

template class Prss<Fp64>;
template class Prss<Fp127>;

}  // namespace meshmpc
