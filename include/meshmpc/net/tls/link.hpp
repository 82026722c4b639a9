#pragma once
// The Link over TLS: StreamLink over Asio's SSL stream (context.hpp makes the
// stream and runs its handshake; tcp_plumbing.hpp builds these links when
// TcpOptions::tls is set).
#include <meshmpc/net/stream_link.hpp>
#include <meshmpc/net/tls/context.hpp>

namespace meshmpc::net {

using TlsLink = StreamLink<tls::Stream>;
extern template class StreamLink<tls::Stream>;

}  // namespace meshmpc::net
