#include <meshmpc/sharing/extraction.hpp>

namespace meshmpc {

template class Extractor<Fp64>;
template class Extractor<Fp127>;

}  // namespace meshmpc
