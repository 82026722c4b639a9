#include <meshmpc/net/tls/link.hpp>

namespace meshmpc::net {

// Compiled once here; users of TlsLink only see the declaration.
template class StreamLink<tls::Stream>;

}  // namespace meshmpc::net
