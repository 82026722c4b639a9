#pragma once
// Step 3 of docs/discovery.md (not installed): every party signs the roster hash
// and checks every other party's signature over its own hash; with a session code
// the pairwise code check runs over the same two rounds of the rendezvous.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include <meshmpc/rendezvous/client.hpp>

namespace meshmpc::rendezvous::detail {

// Throws PeerError naming every party whose signature fails (with what differs
// between its roster and ours, from its field digests) or whose signed message is
// malformed, every party that uses a code when we do not (or the reverse), and
// CodeCheckError naming every party that does not know the code.
boost::asio::awaitable<void> agree(const Joined& joined, const JoinOptions& options,
                                   std::chrono::steady_clock::time_point deadline, std::string where);

}  // namespace meshmpc::rendezvous::detail
