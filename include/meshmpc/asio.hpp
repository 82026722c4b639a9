#pragma once
// meshmpc's one name for Boost.Asio: code in namespace meshmpc (and in its nested
// namespaces) writes asio::, as Asio's own examples do, without each header
// declaring an alias of its own. Only the alias: a header includes the Asio parts
// it uses.
namespace boost::asio {}

namespace meshmpc {
namespace asio = boost::asio;
}  // namespace meshmpc
