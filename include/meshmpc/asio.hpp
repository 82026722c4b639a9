#pragma once
// meshmpc code and programs are written with Boost.Asio's coroutines
// (asio::awaitable<void> per party); the short name is declared once, here.
#include <boost/asio/awaitable.hpp>

namespace meshmpc {
namespace asio = boost::asio;
}  // namespace meshmpc
