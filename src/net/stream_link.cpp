#include <meshmpc/net/stream_link.hpp>

namespace meshmpc::net {

// Compiled once here; users of TcpLink only see the declaration.
template class StreamLink<asio::ip::tcp::socket>;

}  // namespace meshmpc::net
