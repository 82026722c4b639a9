#pragma once
// PartyProgram<F>: one party's part of a program — a coroutine on its Session.
// What cli::main and run_local run, once per party.
#include <meshmpc/runtime/session.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>

namespace meshmpc {

template <FiniteField F>
using PartyProgram = std::function<boost::asio::awaitable<void>(Session<F>&)>;

}  // namespace meshmpc
