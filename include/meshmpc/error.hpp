#pragma once
// The exceptions meshmpc throws. Every message says what was wrong and where; a
// PeerError also says which party.
#include <stdexcept>
#include <string>

namespace meshmpc {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A value that does not fit where it was put: an integer outside a field's range,
// a byte string of the wrong length, a share index out of range.
class RangeError : public Error {
 public:
  using Error::Error;
};

// A parameter combination that cannot work: t >= n/2, n larger than the field, ...
class ConfigError : public Error {
 public:
  using Error::Error;
};

// A peer sent something that breaks the protocol (bad frame, wrong label, ...).
class ProtocolError : public Error {
 public:
  using Error::Error;
};

// A peer could not be reached, closed its link or was refused.
class PeerError : public Error {
 public:
  using Error::Error;
};

// A link broke underneath (a reset, a broken pipe, a socket-level timeout): not a
// clean end of stream and not a fault in what the peer sent. A Network with a
// Relinker asks for a new link to the peer instead of failing it (docs/net.md).
class LinkError : public PeerError {
 public:
  using PeerError::PeerError;
};

}  // namespace meshmpc
