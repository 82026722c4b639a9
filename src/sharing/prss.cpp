#include <meshmpc/sharing/prss.hpp>

#include <sodium.h>

namespace meshmpc {

namespace detail {
void wipe_key(Prg::Key& key) { sodium_memzero(key.data(), key.size()); }
}  // namespace detail

template class Prss<Fp64>;
template class Prss<Fp127>;

}  // namespace meshmpc
