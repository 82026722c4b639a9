#pragma once
// The roster the rendezvous sent, turned into a RosterDocument only after every
// check a party makes before it signs (not installed; join.cpp uses it).
#include <cstddef>
#include <string>
#include <vector>

#include <meshmpc/rendezvous/client.hpp>
#include <meshmpc/rendezvous/messages.hpp>

namespace meshmpc::rendezvous::detail {

// Throws ProtocolError for an entry that cannot be read (a certificate that is
// not one, a reflexive address that is not numeric) and PeerError when the
// roster is not the one this party may sign: another session name or size,
// entries not in fingerprint order or with one key twice, our own entry missing
// or changed (naming the field), or — with options.expected — identities that are
// not the expected ones (listing the missing and the unexpected).
RosterDocument checked_roster(const RosterMsg& message, const JoinOptions& options,
                              const net::tls::Fingerprint& own, std::size_t& self, const std::string& rendezvous);

}  // namespace meshmpc::rendezvous::detail
