#include <meshmpc/sharing/lagrange.hpp>

namespace meshmpc {

template class Lagrange<Fp64>;
template class Lagrange<Fp127>;

}  // namespace meshmpc
